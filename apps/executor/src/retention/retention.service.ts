import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock } from '@kairos/platform';
import { APP_IDENTITY, KAIROS_METRICS, type AppIdentity, type KairosMetrics } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { continueAfterBatch, planRetention, type RetentionStep, type RetentionStepKind } from './retention-plan';
import { RETENTION_REPOSITORY, type RetentionRepository } from './retention.repository';

/** What one run did, per step: batches run and rows handled (tasks, or tasks whose part was dropped). */
export interface RetentionReport {
  /** false: another executor holds the lease, a run finished less than RETENTION_INTERVAL_MS ago, or nothing expires. */
  ran: boolean;
  steps: Array<{ kind: RetentionStepKind; cutoff: string; mode: string; batches: number; rows: number; attempts?: number; events?: number }>;
}

/** One run handles at most this many batches per step; the next run goes on where it stopped. */
const MAX_BATCHES_PER_STEP = 2_000;

/**
 * Runs retention (retention-plan.ts) periodically on one executor at a time (retention_lease): each step
 * in batches of RETENTION_BATCH_SIZE rows, one transaction each, with RETENTION_PAUSE_MS between
 * them so the scheduling hot path keeps its connections and row locks. Logs each step's counts and
 * feeds kairos_retention_* metrics.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: AppIdentity['logger'];
  private timer: NodeJS.Timeout | null = null;
  private pause: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private running: Promise<RetentionReport> | null = null;
  private stopped = false;

  constructor(
    @Inject(RETENTION_REPOSITORY) private readonly repo: RetentionRepository,
    @Inject(EXECUTOR_SETTINGS) private readonly settings: Pick<ExecutorSettings, 'executorId' | 'retention'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_IDENTITY) id: Pick<AppIdentity, 'logger'>,
    @Optional() @Inject(KAIROS_METRICS) private readonly metrics?: KairosMetrics,
  ) {
    this.logger = id.logger;
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    if (planRetention(this.settings.retention, this.clock.now()).length === 0) return; // nothing configured to expire
    // First try soon after start (the lease spaces runs cluster-wide), then every interval.
    const every = this.settings.retention.intervalMs;
    const schedule = (ms: number) => {
      this.timer = setTimeout(() => {
        void this.trigger().finally(() => {
          if (!this.stopped) schedule(every);
        });
      }, ms);
      this.timer.unref();
    };
    schedule(Math.min(every, 10_000));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pause?.wake();
    await this.running?.catch(() => undefined);
  }

  /** One run now unless one is in progress in this process; errors are logged, not thrown. */
  trigger(): Promise<RetentionReport> {
    this.running ??= this.runOnce()
      .catch((err: unknown) => {
        this.logger.error({ err }, 'retention run failed; the next run retries');
        return { ran: false, steps: [] };
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  /** One retention run: takes the lease, runs each planned step to the end (or its batch bound), gives the lease up. */
  async runOnce(): Promise<RetentionReport> {
    const r = this.settings.retention;
    const steps = planRetention(r, this.clock.now());
    if (!steps.length) return { ran: false, steps: [] };
    const owner = this.settings.executorId;
    // The lease outlives a batch and its pause many times over; it is renewed after every batch.
    const ttlMs = Math.max(60_000, 20 * r.pauseMs);
    if (!(await this.repo.acquireLease(owner, ttlMs, r.intervalMs))) return { ran: false, steps: [] };
    let completed = false;
    const report: RetentionReport = { ran: true, steps: [] };
    try {
      let interrupted = false;
      for (const step of steps) {
        const { done, leaseLost } = await this.runStep(step, owner, ttlMs);
        report.steps.push(done);
        const level = done.rows > 0 ? 'info' : 'debug';
        this.logger[level]({ retention: done }, `retention: ${step.kind} before ${done.cutoff}: ${done.rows} handled in ${done.batches} batches`);
        interrupted = leaseLost || this.stopped;
        if (interrupted) break;
      }
      completed = !interrupted;
      if (completed) this.metrics?.retentionLastRunSeconds.set(this.clock.now() / 1000);
      return report;
    } finally {
      await this.repo.releaseLease(owner, completed);
    }
  }

  private async runStep(step: RetentionStep, owner: string, ttlMs: number): Promise<{ done: RetentionReport['steps'][number]; leaseLost: boolean }> {
    const { batchSize, pauseMs } = this.settings.retention;
    const out: RetentionReport['steps'][number] = { kind: step.kind, cutoff: step.cutoff.toISOString(), mode: step.mode, batches: 0, rows: 0 };
    for (;;) {
      const handled = await this.runBatch(step, batchSize, out);
      out.batches++;
      out.rows += handled;
      this.metrics?.retentionBatches.inc({ step: step.kind });
      if (this.stopped || !continueAfterBatch(handled, batchSize, out.batches, MAX_BATCHES_PER_STEP)) return { done: out, leaseLost: false };
      await this.sleep(pauseMs);
      if (this.stopped) return { done: out, leaseLost: false };
      if (!(await this.repo.acquireLease(owner, ttlMs, 0))) {
        this.logger.warn({ step: step.kind }, 'retention: lease lost between batches; stopping this run');
        return { done: out, leaseLost: true };
      }
    }
  }

  private async runBatch(step: RetentionStep, limit: number, out: RetentionReport['steps'][number]): Promise<number> {
    const action = step.mode === 'archive' ? 'archived' : 'deleted';
    switch (step.kind) {
      case 'tasks': {
        const c = await this.repo.purgeTasks(step.cutoff, limit, step.mode);
        out.attempts = (out.attempts ?? 0) + c.attempts;
        out.events = (out.events ?? 0) + c.events;
        this.count('tasks', action, c.tasks);
        this.count('attempts', action, c.attempts);
        this.count('events', action, c.events);
        return c.tasks;
      }
      case 'workflows': {
        const n = await this.repo.purgeWorkflowRuns(step.cutoff, limit, step.mode);
        this.count('workflow_runs', action, n);
        return n;
      }
      case 'events': {
        const c = await this.repo.dropEvents(step.cutoff, limit);
        out.events = (out.events ?? 0) + c.events;
        this.count('events', 'dropped', c.events);
        return c.tasks;
      }
      case 'outputs': {
        const c = await this.repo.dropOutputs(step.cutoff, limit);
        this.count('outputs', 'dropped', c.outputs);
        return c.tasks;
      }
      default: {
        const never: never = step.kind;
        throw new TypeError(`unknown retention step ${String(never)}`);
      }
    }
  }

  private count(kind: string, action: string, n: number): void {
    if (n > 0) this.metrics?.retentionRows.inc({ kind, action }, n);
  }

  /** Waits `ms` between batches; shutdown wakes it at once. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.pause = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pause = { timer, wake };
    });
  }
}

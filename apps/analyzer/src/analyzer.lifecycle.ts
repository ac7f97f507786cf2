import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { initTfBackend, type BackendChoice } from '@kairos/ml';
import { OutboxRelay } from '@kairos/persistence';
import type { Runtime } from '@kairos/runtime';
import { DiagnosisService } from './diagnosis/diagnosis.service';
import { taskSignature } from './estimates/duration-baseline';
import { DURATION_MODEL, DurationModelService } from './models/duration-model.service';

export interface AnalyzerOptions {
  /** tfjs backend choice; injectable so tests need not load TensorFlow.js. */
  readonly tfBackend?: () => Promise<BackendChoice>;
  /** Periodic drift and diagnosis rounds (on by default; tests drive them by hand). */
  readonly timers?: boolean;
}

/**
 * The analyzer's event consumers and periodic jobs: predictions for queued tasks, outcomes for
 * accuracy, the production model hot swap, drift checks and diagnosis rounds (each round claimed by
 * one replica through analyzer_ticks).
 */
export class AnalyzerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;
  readonly durations: DurationModelService;
  readonly diagnosis: DiagnosisService;
  private readonly backendChoice: Promise<BackendChoice | null>;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(
    private readonly rt: Runtime,
    private readonly options: AnalyzerOptions = {},
  ) {
    this.relay = new OutboxRelay(rt.db, rt.bus, 'analyzer', (err) => rt.logger.error({ err }, 'outbox relay failed'), 200);
    this.backendChoice = (options.tfBackend ?? (() => initTfBackend()))().catch((err: unknown) => {
      rt.logger.error({ err }, 'no TensorFlow.js backend');
      return null;
    });
    this.durations = new DurationModelService(rt, async () => (await this.backendChoice)?.name ?? 'none');
    this.diagnosis = new DiagnosisService(rt);
  }

  /** For /health. */
  async health(): Promise<Record<string, unknown>> {
    const choice = await this.backendChoice;
    const serving = this.durations.cache.current();
    return {
      tfjsBackend: choice?.name ?? 'none',
      tfjsBackendTried: choice?.tried ?? [],
      durationModel: serving ? { name: serving.version.name, version: serving.version.version } : null,
      training: this.durations.trainingMode,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { bus, config } = this.rt;
    await bus.subscribe('task.completed.v1', { group: 'analyzer' }, async (e) => {
      const p = e.payload;
      await this.durations.recordFinished({ taskId: p.taskId, attempt: p.attempt, status: p.status, durationMs: p.durationMs, finishedAt: p.finishedAt, fallbackSignature: `${p.queue}|${p.kind}|${p.name ?? ''}` });
      this.durations.observeFinished(p.taskId, Date.parse(p.finishedAt), p.status === 'succeeded');
    });
    await bus.subscribe('task.queued.v1', { group: 'analyzer' }, async (e) => {
      const p = e.payload;
      const signature = taskSignature(p.queue, p.name, p.run);
      const est = await this.durations.estimate({ signature, cpuMillis: p.resources.cpuMillis, memMb: p.resources.memMb, createdAtMs: Date.parse(p.submittedAt) });
      this.durations.observeQueued(p, signature);
      await this.durations.storeEstimate({ taskId: p.taskId, signature, estimate: est, traceId: e.traceId });
      this.relay.kick();
    });
    // One replica of the group handles each drift event, so a retrain is started once.
    await bus.subscribe('model.drift.detected.v1', { group: 'analyzer' }, async (e) => {
      const p = e.payload;
      if (p.name !== DURATION_MODEL || p.decision !== 'retrain' || !p.autoRetrain) return;
      this.rt.logger.warn({ reasons: p.reasons }, 'drift: retraining the duration model');
      await this.durations.train({}, `drift:${p.reportId}`).catch((err: unknown) => this.rt.logger.error({ err }, 'automatic retraining failed'));
    });
    await this.durations.start(config.ANALYZER_MODEL_POLL_MS);
    this.relay.start();
    if (this.options.timers !== false) {
      this.every('drift', config.ANALYZER_DRIFT_INTERVAL_MS, () => this.runDrift());
      this.every('diagnosis', config.ANALYZER_DIAGNOSIS_INTERVAL_MS, () => this.runDiagnosis());
      this.every('features', 60_000, () => this.durations.resyncFeatures(), false);
    }
  }

  async runDrift(): Promise<void> {
    const r = await this.durations.assessDrift();
    if (r && r.report.decision !== 'none') this.rt.logger.warn({ decision: r.report.decision, reasons: r.report.reasons }, 'duration model drift');
    this.relay.kick();
  }

  async runDiagnosis(): Promise<void> {
    await this.diagnosis.evaluate();
    this.relay.kick();
  }

  /** A periodic job; with `claim`, the first replica to insert (job, slot) runs the round, the others skip it. */
  private every(job: string, ms: number, fn: () => Promise<void>, claim = true): void {
    const timer = setInterval(() => {
      void (async () => {
        if (claim) {
          const slot = Math.floor(Date.now() / ms);
          const won = await this.rt.db.query(`INSERT INTO analyzer_ticks (job, slot, claimed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING slot`, [job, slot, this.rt.instanceId]);
          if (!won.length) return;
        }
        await fn();
      })().catch((err: unknown) => this.rt.logger.error({ err, job }, 'analyzer periodic job failed'));
    }, ms);
    timer.unref?.();
    this.timers.push(timer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.durations.stop();
    await this.relay.stop();
  }
}

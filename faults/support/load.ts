import { randomUUID } from 'node:crypto';
import { makeEnvelope } from '@kairos/contracts';
import type { KafkaEventBus } from '@kairos/bus';
import { authHeaders } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the clients saw in one phase: every answer to a task submission, and the metric points the bus confirmed. */
export interface PhaseLog {
  /** Task ids the gateway accepted (201). */
  accepted: string[];
  /** Answers by kind: '201', '503+retry-after', '503-no-retry-after', '500', 'unreachable', 'timeout', … */
  answers: Record<string, number>;
  /** Submission latencies of accepted tasks, ms. */
  latencies: number[];
  /** ts (ms) of every metric point the bus confirmed; each point is its own ts on the phase's series. */
  pointTs: number[];
  /** Batches the bus did not confirm within the timeout or refused (not counted as accepted). */
  pointBatchesUnconfirmed: number;
}

export interface LoadOptions {
  gatewayPort: () => number;
  bus: KafkaEventBus;
  /** Pause between submissions of each submitter, ms. */
  taskIntervalMs: number;
  submitters: number;
  /** Metric points per batch and pause between batches, ms. */
  pointsPerBatch: number;
  batchIntervalMs: number;
  /** A client's patience with one request; the gateway's own database connect timeout is 5 s. */
  requestTimeoutMs: number;
}

export const METRIC_SOURCE = 'fault-suite';
export const METRIC_NAME = 'fault.load';

/**
 * A steady, bounded load: `submitters` clients each POST a short noop task to the gateway every
 * `taskIntervalMs`, and one producer publishes metrics.batch.v1 batches on the bus. Everything is logged
 * under the current phase, so a fault's counts are its own.
 */
export class Load {
  phase = 'warmup';
  private readonly logs = new Map<string, PhaseLog>();
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;
  /** Points go back one hour from here, 1 ms apart, so each is distinct and inside the collector's window. */
  private readonly tsBase = Date.now() - 3_600_000;

  constructor(private readonly opts: LoadOptions) {}

  log(phase: string): PhaseLog {
    let l = this.logs.get(phase);
    if (!l) this.logs.set(phase, (l = { accepted: [], answers: {}, latencies: [], pointTs: [], pointBatchesUnconfirmed: 0 }));
    return l;
  }

  phases(): string[] {
    return [...this.logs.keys()];
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < this.opts.submitters; i++) this.loops.push(this.submitLoop(i));
    this.loops.push(this.metricLoop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** One submission; returns the id when accepted. Used by the load and by recovery probes. */
  async submit(phase: string, name = phase): Promise<string | null> {
    const l = this.log(phase);
    const t0 = Date.now();
    let kind: string;
    try {
      const r = await fetch(`http://127.0.0.1:${this.opts.gatewayPort()}/api/tasks`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ run: { kind: 'noop', sleepMs: 20 }, name, idempotencyKey: randomUUID() }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
      const body = await r.text();
      if (r.status === 201) {
        l.accepted.push((JSON.parse(body) as { id: string }).id);
        l.latencies.push(Date.now() - t0);
        kind = '201';
      } else if (r.status === 503) kind = r.headers.get('retry-after') ? '503+retry-after' : '503-no-retry-after';
      else kind = String(r.status);
      l.answers[kind] = (l.answers[kind] ?? 0) + 1;
      return r.status === 201 ? l.accepted[l.accepted.length - 1] : null;
    } catch (err) {
      kind = (err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
      l.answers[kind] = (l.answers[kind] ?? 0) + 1;
      return null;
    }
  }

  private async submitLoop(i: number): Promise<void> {
    await sleep((i * this.opts.taskIntervalMs) / this.opts.submitters);
    while (this.running) {
      await this.submit(this.phase);
      await sleep(this.opts.taskIntervalMs);
    }
  }

  /** Publishes one batch of the current phase; true when the bus confirmed it. */
  async publishPoints(phase: string): Promise<boolean> {
    const l = this.log(phase);
    const ts = Array.from({ length: this.opts.pointsPerBatch }, () => this.tsBase + this.seq++);
    const points = ts.map((t) => ({ metric: METRIC_NAME, value: t % 1000, unit: 'count', ts: new Date(t).toISOString(), labels: { phase } }));
    const published = this.opts.bus.publish(makeEnvelope('metrics.batch.v1', `${METRIC_SOURCE}/${phase}`, { source: METRIC_SOURCE, points }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.opts.requestTimeoutMs)));
    try {
      const outcome = await Promise.race([published.then(() => 'ok' as const), timeout]);
      if (outcome === 'ok') {
        l.pointTs.push(...ts);
        return true;
      }
      // Not confirmed in time: not counted as accepted (it may still land; stored ⊇ accepted is what is checked).
      published.catch(() => undefined);
    } catch {
      /* refused by the bus: not accepted */
    } finally {
      clearTimeout(timer);
    }
    l.pointBatchesUnconfirmed++;
    return false;
  }

  private async metricLoop(): Promise<void> {
    while (this.running) {
      await this.publishPoints(this.phase);
      await sleep(this.opts.batchIntervalMs);
    }
  }
}

/** p-th percentile (0..100) of a sample, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

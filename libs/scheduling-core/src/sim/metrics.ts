import type { Resources } from '../model/resources';
import type { Task } from '../model/task.model';

/**
 * Figures of one replay (../shared/BENCHMARKS.md "Wait"). The wait of an instance is the time it
 * spent runnable but not running: first start − its task's arrival, plus, for every failed or lost
 * attempt, the next start − that attempt's end (back-off included), so retries count toward the same
 * instance's wait. Per instance: mean and p95 over instances. Per task: mean and p95 over tasks of
 * the task's mean instance wait (a 1,000-instance task counts once). JCT per job: last instance end
 * of any of its tasks − the job's first arrival.
 */
export interface SimMetrics {
  readonly policy: string;
  readonly information: string;
  readonly tasks: number;
  readonly instances: number;
  readonly jobs: number;
  readonly meanWaitPerTask: number;
  readonly p95WaitPerTask: number;
  readonly meanWaitPerInstance: number;
  readonly p95WaitPerInstance: number;
  readonly meanJobJct: number;
  readonly p95JobJct: number;
  /** Per task, bounded slowdown max(1, JCT / max(mean realised duration, 10 s)). */
  readonly p95Slowdown: number;
  readonly makespan: number;
  /** Allocated ÷ capacity, integrated from first arrival to the last instance end. */
  readonly utilisation: Resources;
  /** Same, over the arrival window only (first to last arrival). */
  readonly utilisationArrivalWindow: Resources;
  /** Instances that eventually succeeded ÷ all instances. */
  readonly successRate: number;
  readonly attempts: number;
  /** Attempts that failed transiently (charged to the instance's retry budget). */
  readonly failedAttempts: number;
  /** Attempts lost with their node (not charged, as live). */
  readonly lostAttempts: number;
  /** Jain's index over tenants of 1 / mean bounded slowdown (1 = perfectly even). */
  readonly jainFairness: number;
  readonly decisions: number;
}

export interface Summary {
  readonly mean: number;
  readonly p95: number;
}

/**
 * Per-instance and per-task wait summaries from flat per-instance waits grouped by task
 * (`waits[offsets[k] … offsets[k+1])` are task k's). Pure: the live replay computes its figures with it.
 */
export function summariseWaits(offsets: ArrayLike<number>, waits: ArrayLike<number>): { perInstance: Summary; perTask: Summary } {
  const n = waits.length;
  const all = Float64Array.from(waits);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += all[i] as number;
  all.sort();
  const taskMeans: number[] = [];
  for (let k = 0; k + 1 < offsets.length; k++) {
    const a = offsets[k] as number;
    const b = offsets[k + 1] as number;
    if (b <= a) continue;
    let s = 0;
    for (let i = a; i < b; i++) s += waits[i] as number;
    taskMeans.push(s / (b - a));
  }
  const tm = Float64Array.from(taskMeans).sort();
  let ts = 0;
  for (const x of taskMeans) ts += x;
  return {
    perInstance: { mean: n ? sum / n : 0, p95: percentile(all, 95) },
    perTask: { mean: tm.length ? ts / tm.length : 0, p95: percentile(tm, 95) },
  };
}

/** JCT per job = last instance end of any of its tasks − the job's first arrival; mean and p95 over jobs. */
export function summariseJobCompletion(tasks: readonly Pick<Task, 'jobId' | 'arrival'>[], lastEndByTask: ArrayLike<number>): Summary & { readonly jobs: number } {
  const jobs = new Map<string, { first: number; last: number }>();
  tasks.forEach((t, k) => {
    const j = jobs.get(t.jobId);
    const end = lastEndByTask[k] as number;
    if (!j) jobs.set(t.jobId, { first: t.arrival, last: end });
    else {
      j.first = Math.min(j.first, t.arrival);
      j.last = Math.max(j.last, end);
    }
  });
  const jct = Float64Array.from([...jobs.values()].map((j) => j.last - j.first)).sort();
  let s = 0;
  for (const x of jct) s += x;
  return { mean: jct.length ? s / jct.length : 0, p95: percentile(jct, 95), jobs: jobs.size };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

export function jainIndex(xs: readonly number[]): number {
  if (xs.length === 0) return 1;
  let s = 0;
  let s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  return s2 === 0 ? 1 : (s * s) / (xs.length * s2);
}

/** The last `capacity` samples of a latency (ms) and their quantiles; O(1) to record. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private n = 0;
  private total = 0;

  constructor(readonly capacity = 4096) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.total % this.capacity] = ms;
    this.total++;
    this.n = Math.min(this.capacity, this.n + 1);
  }

  summary(): { count: number; window: number; p50Ms: number; p99Ms: number; maxMs: number } {
    const sorted = Array.from(this.samples.subarray(0, this.n)).sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return { count: this.total, window: this.n, p50Ms: r(percentile(sorted, 50)), p99Ms: r(percentile(sorted, 99)), maxMs: r(sorted[sorted.length - 1] ?? 0) };
  }
}

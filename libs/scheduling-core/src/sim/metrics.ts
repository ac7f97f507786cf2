import type { Resources } from '../model/resources';

export interface SimMetrics {
  readonly policy: string;
  readonly information: string;
  readonly tasks: number;
  readonly instances: number;
  /** Per instance: first start − task arrival (seconds). */
  readonly meanWait: number;
  readonly p95Wait: number;
  /** Per task: last instance end − arrival. */
  readonly meanJct: number;
  /** Per task, bounded slowdown max(1, JCT / max(duration, 10 s)). */
  readonly p95Slowdown: number;
  readonly makespan: number;
  /** Allocated ÷ capacity, integrated from first arrival to the last instance end. */
  readonly utilisation: Resources;
  /** Same, over the arrival window only (first to last arrival), where offered load is defined. */
  readonly utilisationArrivalWindow: Resources;
  /** Instances that eventually succeeded ÷ all instances. */
  readonly successRate: number;
  readonly attempts: number;
  readonly failedAttempts: number;
  /** Jain's index over tenants of 1 / mean bounded slowdown (1 = perfectly even). */
  readonly jainFairness: number;
  readonly decisions: number;
}

export function percentile(sorted: readonly number[], p: number): number {
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

/** Keeps an approximate p95 without storing millions of waits: exact below `cap`, reservoir above. */
export class SampleSketch {
  private samples: number[] = [];
  private seen = 0;
  constructor(
    private readonly cap: number,
    private readonly rand: () => number,
  ) {}
  add(x: number, weight = 1): void {
    for (let i = 0; i < weight; i++) {
      this.seen++;
      if (this.samples.length < this.cap) this.samples.push(x);
      else {
        const j = Math.floor(this.rand() * this.seen);
        if (j < this.cap) this.samples[j] = x;
      }
    }
  }
  percentile(p: number): number {
    return percentile(this.samples.slice().sort((a, b) => a - b), p);
  }
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

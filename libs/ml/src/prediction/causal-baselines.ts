/**
 * Causal duration baselines (BENCHMARKS.md "Prediction"): what a platform could predict at a task's arrival
 * from the durations of tasks that had finished before it, without any learning. `bench duration` reports
 * every model against these, and the deploy gate compares candidates with the strongest of them.
 *
 * - median lookups: the median duration of earlier finished tasks with the same shape (plan_cpu, plan_mem,
 *   instance_num), or of the same job's finished sibling tasks (falling back to the same shape, then to all
 *   finished tasks);
 * - moving averages: the mean of the last k finished durations cluster-wide, or of the same shape (else
 *   cluster-wide);
 * - the same-shape empirical upper quantile (the reference for a calibrated p90).
 *
 * Feed completions with `observe` and query at arrivals; the caller decides visibility (the trace replay
 * shows a completion to arrivals strictly after its end time).
 */

/**
 * Ascending multiset with O(log n) search and O(n) memmove insertion; quantiles by Hyndman–Fan type 7.
 * With a finite `capacity` it holds the last `capacity` values added (the oldest leaves first), so a
 * long-lived bag (the live analyzer's) stays bounded; the default keeps everything (offline replay).
 */
export class SortedBag {
  private values = new Float64Array(16);
  private n = 0;
  /**
   * Finite capacity only: values in insertion order (a ring once full), to know which one is the oldest. It
   * grows with the bag like `values` (a bag per job and per shape would otherwise allocate `capacity` slots
   * each up front: 160 KB per job at the analyzer's 20,000, gigabytes over a day's jobs).
   */
  private ring: Float64Array | null;
  private readonly limit: number;
  private added = 0;

  constructor(readonly capacity = Infinity) {
    if (!(capacity >= 1)) throw new RangeError(`SortedBag capacity must be at least 1, got ${capacity}`);
    this.limit = Math.floor(capacity);
    this.ring = Number.isFinite(capacity) ? new Float64Array(Math.min(16, this.limit)) : null;
  }

  get size(): number {
    return this.n;
  }

  add(v: number): void {
    if (this.ring) {
      if (this.added < this.limit) {
        if (this.added === this.ring.length) this.ring = grow(this.ring, this.limit);
        this.ring[this.added] = v;
      } else {
        const slot = this.added % this.limit;
        this.removeOne(this.ring[slot]);
        this.ring[slot] = v;
      }
      this.added++;
    }
    if (this.n === this.values.length) this.values = grow(this.values, this.ring ? this.limit : Infinity);
    const lo = this.upperBound(v);
    this.values.copyWithin(lo + 1, lo, this.n);
    this.values[lo] = v;
    this.n++;
  }

  /** First index whose value is greater than `v`. */
  private upperBound(v: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private removeOne(v: number): void {
    // NaN compares false with everything, so it sits wherever it was inserted: look for it.
    const i = Number.isNaN(v) ? this.values.subarray(0, this.n).findIndex(Number.isNaN) : this.upperBound(v) - 1;
    if (i < 0 || !(this.values[i] === v || Number.isNaN(v))) return;
    this.values.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  /** NaN when empty. q = 0.5 gives the usual median (mean of the two middle values for an even count). */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const h = (this.n - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, this.n - 1);
    return this.values[lo] + (h - lo) * (this.values[hi] - this.values[lo]);
  }
}

/** `a` copied into an array twice as long, at most `limit` long. */
function grow(a: Float64Array, limit: number): Float64Array {
  const grown = new Float64Array(Math.min(a.length * 2, limit));
  grown.set(a);
  return grown;
}

/** Last-k ring of durations with its running sum (moving average) and windowed quantiles. */
class RecentWindow {
  private readonly items: number[] = [];
  private sum = 0;
  constructor(private readonly k: number) {}
  add(v: number): void {
    this.items.push(v);
    this.sum += v;
    if (this.items.length > this.k) this.sum -= this.items.shift() ?? 0;
  }
  get size(): number {
    return this.items.length;
  }
  mean(): number {
    return this.items.length > 0 ? this.sum / this.items.length : NaN;
  }
  quantile(q: number): number {
    if (this.items.length === 0) return NaN;
    const a = Float64Array.from(this.items).sort();
    const h = (a.length - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, a.length - 1);
    return a[lo] + (h - lo) * (a[hi] - a[lo]);
  }
}

/** What a baseline needs to know about a task. */
export interface BaselineTaskKey {
  readonly jobId: string;
  readonly instanceNum: number;
  readonly planCpu: number | null;
  readonly planMem: number | null;
}

/** The similar-shape key: exact (plan_cpu, plan_mem, instance_num); empty requests are their own value. */
export function shapeKeyOf(t: Pick<BaselineTaskKey, 'instanceNum' | 'planCpu' | 'planMem'>): string {
  return `${t.planCpu ?? '-'}|${t.planMem ?? '-'}|${t.instanceNum}`;
}

export type CausalBaselineName =
  | 'median-shape'
  | 'median-job'
  | 'median-shape-recent'
  | 'ma-global'
  | 'ma-shape'
  | 'p90-shape';

export interface CausalBaselineEstimate {
  /** Median of the same shape's finished durations (all of them), else of all finished durations. */
  readonly medianShape: number;
  /** Median of the job's finished siblings, else `medianShape`. */
  readonly medianJob: number;
  /** Median of the same shape's last `recentWindow` finished durations, else the global median. */
  readonly medianShapeRecent: number;
  /** Mean of the last k finished durations cluster-wide, per k of `maWindows`. */
  readonly maGlobal: readonly number[];
  /** Mean of the same shape's last k finished durations, else `maGlobal`, per k. */
  readonly maShape: readonly number[];
  /** Empirical upper quantile of the same shape's finished durations, else of all (the p90 reference). */
  readonly upperShape: number;
  /** How many finished durations of the same shape / of the same job were visible. */
  readonly shapeCount: number;
  readonly jobCount: number;
  /** Median of all finished durations, and how many there were. */
  readonly globalMedian: number;
  readonly finishedCount: number;
}

export interface CausalBaselineOptions {
  readonly maWindows: readonly number[];
  readonly recentWindow: number;
  readonly upperQuantile: number;
  /** Durations each sorted bag (global, per shape, per job) keeps: the most recent ones. Infinity keeps all (offline replay). */
  readonly maxPerBag: number;
}

export const DEFAULT_CAUSAL_BASELINE_OPTIONS: CausalBaselineOptions = { maWindows: [5, 20, 100], recentWindow: 20, upperQuantile: 0.9, maxPerBag: Infinity };

/**
 * Streaming state of every causal baseline. Memory: every finished duration (the last `maxPerBag`
 * when finite) once globally, once per shape and once per job (sorted), the last max(k) per shape.
 */
export class CausalBaselineState {
  private readonly opts: CausalBaselineOptions;
  private readonly global: SortedBag;
  private readonly byShape = new Map<string, SortedBag>();
  private readonly byJob = new Map<string, SortedBag>();
  private readonly recentGlobal: RecentWindow[];
  private readonly recentByShape = new Map<string, RecentWindow[]>();
  private readonly recentShapeMedian = new Map<string, RecentWindow>();

  constructor(options: Partial<CausalBaselineOptions> = {}) {
    this.opts = { ...DEFAULT_CAUSAL_BASELINE_OPTIONS, ...options };
    this.recentGlobal = this.opts.maWindows.map((k) => new RecentWindow(k));
    this.global = new SortedBag(this.opts.maxPerBag);
  }

  get options(): CausalBaselineOptions {
    return this.opts;
  }

  /** A task finished with a real duration (seconds). */
  observe(task: BaselineTaskKey, durationSeconds: number): void {
    const shape = shapeKeyOf(task);
    this.global.add(durationSeconds);
    bagOf(this.byShape, shape, this.opts.maxPerBag).add(durationSeconds);
    bagOf(this.byJob, task.jobId, this.opts.maxPerBag).add(durationSeconds);
    this.recentGlobal.forEach((w) => w.add(durationSeconds));
    let windows = this.recentByShape.get(shape);
    if (!windows) {
      windows = this.opts.maWindows.map((k) => new RecentWindow(k));
      this.recentByShape.set(shape, windows);
    }
    windows.forEach((w) => w.add(durationSeconds));
    let recent = this.recentShapeMedian.get(shape);
    if (!recent) {
      recent = new RecentWindow(this.opts.recentWindow);
      this.recentShapeMedian.set(shape, recent);
    }
    recent.add(durationSeconds);
  }

  /** Every baseline for `task` given what was observed so far; 0 when nothing has finished yet. */
  estimate(task: BaselineTaskKey): CausalBaselineEstimate {
    const shape = shapeKeyOf(task);
    const globalMedian = orZero(this.global.quantile(0.5));
    const sb = this.byShape.get(shape);
    const jb = this.byJob.get(task.jobId);
    const medianShape = sb ? sb.quantile(0.5) : globalMedian;
    const maGlobal = this.recentGlobal.map((w) => orZero(w.mean()));
    const windows = this.recentByShape.get(shape);
    const recent = this.recentShapeMedian.get(shape);
    return {
      medianShape,
      medianJob: jb ? jb.quantile(0.5) : medianShape,
      medianShapeRecent: recent ? recent.quantile(0.5) : globalMedian,
      maGlobal,
      maShape: windows ? windows.map((w) => w.mean()) : maGlobal,
      upperShape: sb ? sb.quantile(this.opts.upperQuantile) : orZero(this.global.quantile(this.opts.upperQuantile)),
      shapeCount: sb?.size ?? 0,
      jobCount: jb?.size ?? 0,
      globalMedian,
      finishedCount: this.global.size,
    };
  }
}

function bagOf(map: Map<string, SortedBag>, key: string, capacity: number): SortedBag {
  let b = map.get(key);
  if (!b) {
    b = new SortedBag(capacity);
    map.set(key, b);
  }
  return b;
}

function orZero(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

import { DriftError } from './drift.errors';

/** One live prediction matched with what actually happened. Times in epoch ms; durations in ms. */
export interface PredictionOutcome {
  /** Central estimate (e.g. p50). */
  readonly predicted: number;
  /** Upper quantile the model claimed (its p90); omit if the model gives none. */
  readonly upper?: number;
  readonly actual: number;
  /** When the actual became known; the time window slides on this. */
  readonly atMs: number;
}

export interface AccuracyMetrics {
  readonly count: number;
  /** Mean absolute error, in the unit of the values (ms for durations). */
  readonly mae: number | null;
  /** Mean absolute percentage error as a fraction (0.25 = 25 %), over outcomes with actual > 0. */
  readonly mape: number | null;
  readonly mapeCount: number;
  /** Share of outcomes with actual ≤ upper; a calibrated p90 gives ≈ 0.9. */
  readonly p90Coverage: number | null;
  readonly coverageCount: number;
  /**
   * Mean pinball loss of the upper quantile at its level q (0.9 unless given):
   * max(q (actual − upper), (q − 1)(actual − upper)); lower is better, in the unit of the values.
   */
  readonly upperPinball: number | null;
  /** Mean (predicted − actual): > 0 means the model over-estimates. */
  readonly bias: number | null;
}

/** Pure: metrics over a list of outcomes (the tracker's window, or rows from the database). */
export function accuracyMetrics(outcomes: ReadonlyArray<Omit<PredictionOutcome, 'atMs'>>, upperQuantile = 0.9): AccuracyMetrics {
  let absSum = 0;
  let signedSum = 0;
  let apeSum = 0;
  let apeCount = 0;
  let covered = 0;
  let coverageCount = 0;
  let pinballSum = 0;
  for (const o of outcomes) {
    const diff = o.predicted - o.actual;
    absSum += Math.abs(diff);
    signedSum += diff;
    if (o.actual > 0) {
      apeSum += Math.abs(diff) / o.actual;
      apeCount++;
    }
    if (o.upper !== undefined) {
      coverageCount++;
      if (o.actual <= o.upper) covered++;
      const e = o.actual - o.upper;
      pinballSum += Math.max(upperQuantile * e, (upperQuantile - 1) * e);
    }
  }
  const n = outcomes.length;
  return {
    count: n,
    mae: n > 0 ? absSum / n : null,
    mape: apeCount > 0 ? apeSum / apeCount : null,
    mapeCount: apeCount,
    p90Coverage: coverageCount > 0 ? covered / coverageCount : null,
    coverageCount,
    upperPinball: coverageCount > 0 ? pinballSum / coverageCount : null,
    bias: n > 0 ? signedSum / n : null,
  };
}

export interface AccuracyTrackerOptions {
  /** Keep the last this many outcomes per model version. */
  readonly windowSize: number;
  /** Also drop outcomes older than this relative to the `nowMs` given to `report`. */
  readonly windowMs?: number;
  /** Level of the `upper` predictions (for the pinball loss); 0.9 by default. */
  readonly upperQuantile?: number;
}

export interface AccuracyReport extends AccuracyMetrics {
  readonly modelKey: string;
  /** Oldest and newest outcome time in the window (null when empty). */
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

/** Key under which a version's outcomes are tracked, e.g. `duration-gbdt@3`. */
export function modelVersionKey(name: string, version: number): string {
  return `${name}@${version}`;
}

/** Fixed-capacity ring of outcomes for one model version. */
class OutcomeRing {
  private readonly items: Array<PredictionOutcome | undefined>;
  private next = 0;
  size = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<PredictionOutcome | undefined>(capacity);
  }
  push(outcome: PredictionOutcome): void {
    this.items[this.next] = outcome;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }
  /** Oldest first. */
  toArray(): PredictionOutcome[] {
    const out: PredictionOutcome[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) {
      const item = this.items[(start + i) % this.capacity];
      if (item) out.push(item);
    }
    return out;
  }
}

/**
 * Live accuracy per model version over a sliding window (last N outcomes, optionally also last T ms):
 * MAE, MAPE, p90 coverage, bias. In memory; each analyzer replica tracks what it predicted, and the
 * analyzer can persist outcomes and call `accuracyMetrics` on the rows for a cluster-wide figure.
 */
export class AccuracyTracker {
  private readonly rings = new Map<string, OutcomeRing>();

  constructor(private readonly options: AccuracyTrackerOptions) {
    if (!Number.isInteger(options.windowSize) || options.windowSize < 1) {
      throw new DriftError('INVALID_POLICY', `accuracy windowSize must be an integer ≥ 1, got ${options.windowSize}`);
    }
    if (options.upperQuantile !== undefined && !(options.upperQuantile > 0 && options.upperQuantile < 1)) {
      throw new DriftError('INVALID_POLICY', `accuracy upperQuantile must be in (0, 1), got ${options.upperQuantile}`);
    }
    if (options.windowMs !== undefined && !(options.windowMs > 0)) {
      throw new DriftError('INVALID_POLICY', `accuracy windowMs must be > 0, got ${options.windowMs}`);
    }
  }

  record(modelKey: string, outcome: PredictionOutcome): void {
    const bad = (field: string, value: unknown, rule: string): never => {
      throw new DriftError('INVALID_OBSERVATION', `outcome for ${modelKey}: ${field} = ${String(value)} ${rule}`, { modelKey, field });
    };
    if (!Number.isFinite(outcome.predicted)) bad('predicted', outcome.predicted, 'must be finite');
    if (!Number.isFinite(outcome.actual) || outcome.actual < 0) bad('actual', outcome.actual, 'must be finite and ≥ 0');
    if (outcome.upper !== undefined && !Number.isFinite(outcome.upper)) bad('upper', outcome.upper, 'must be finite');
    if (!Number.isFinite(outcome.atMs)) bad('atMs', outcome.atMs, 'must be finite');
    let ring = this.rings.get(modelKey);
    if (!ring) {
      ring = new OutcomeRing(this.options.windowSize);
      this.rings.set(modelKey, ring);
    }
    ring.push({ ...outcome });
  }

  /** Metrics for one version over its window; `nowMs` is required for the time bound to apply. */
  report(modelKey: string, nowMs?: number): AccuracyReport {
    const window = this.window(modelKey, nowMs);
    let fromMs: number | null = null;
    let toMs: number | null = null;
    for (const o of window) {
      fromMs = fromMs === null ? o.atMs : Math.min(fromMs, o.atMs);
      toMs = toMs === null ? o.atMs : Math.max(toMs, o.atMs);
    }
    return { modelKey, ...accuracyMetrics(window, this.options.upperQuantile), fromMs, toMs };
  }

  /**
   * Coverage (and MAE, MAPE, pinball) by consecutive blocks of `size` outcomes, oldest first, over the
   * retained window: shows whether the upper quantile keeps covering what it says as time goes on. A last
   * partial block is included when it has at least half the size.
   */
  coverageByWindow(modelKey: string, size: number, nowMs?: number): AccuracyReport[] {
    if (!Number.isInteger(size) || size < 1) throw new DriftError('INVALID_POLICY', `coverage window size must be an integer ≥ 1, got ${size}`);
    const all = this.window(modelKey, nowMs);
    const out: AccuracyReport[] = [];
    for (let start = 0; start < all.length; start += size) {
      const block = all.slice(start, start + size);
      if (block.length < size && block.length * 2 < size) break;
      out.push({ modelKey, ...accuracyMetrics(block, this.options.upperQuantile), fromMs: block[0].atMs, toMs: block[block.length - 1].atMs });
    }
    return out;
  }

  reports(nowMs?: number): AccuracyReport[] {
    return this.modelKeys().map((key) => this.report(key, nowMs));
  }

  modelKeys(): string[] {
    return [...this.rings.keys()].sort();
  }

  /** Drops a version's history (e.g. when it is archived). */
  forget(modelKey: string): void {
    this.rings.delete(modelKey);
  }

  private window(modelKey: string, nowMs?: number): PredictionOutcome[] {
    const all = this.rings.get(modelKey)?.toArray() ?? [];
    const { windowMs } = this.options;
    if (windowMs === undefined || nowMs === undefined) return all;
    return all.filter((o) => o.atMs > nowMs - windowMs && o.atMs <= nowMs);
  }
}

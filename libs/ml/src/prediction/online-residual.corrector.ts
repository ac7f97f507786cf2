import { PredictionError } from './prediction.errors';

/**
 * Online update between retrainings: a shrunken median of the recent log-residuals
 * (log1p(actual) − log1p(predicted)) of finished tasks, looked up from the most specific key that has
 * enough of them (e.g. [submission template, shape, 'all']). A model trained hours ago then follows a
 * template or shape whose durations moved, without a retrain. The correction is
 * n / (n + shrink) × median(last `window` residuals of the key), added to log1p(prediction).
 */
export interface ResidualCorrectorOptions {
  readonly window: number;
  /** A key needs this many residuals to be used. */
  readonly minSamples: number;
  /** Pseudo-count pulling the correction towards 0 for keys with few residuals. */
  readonly shrink: number;
}

export const DEFAULT_RESIDUAL_CORRECTOR_OPTIONS: ResidualCorrectorOptions = { window: 50, minSamples: 3, shrink: 5 };

export class OnlineResidualCorrector {
  private readonly opts: ResidualCorrectorOptions;
  private readonly recent = new Map<string, number[]>();

  constructor(options: Partial<ResidualCorrectorOptions> = {}) {
    const o = { ...DEFAULT_RESIDUAL_CORRECTOR_OPTIONS, ...options };
    if (!Number.isInteger(o.window) || o.window < 1) throw new PredictionError('INVALID_PARAMS', `residual corrector: window = ${o.window} must be an integer ≥ 1`);
    if (!Number.isInteger(o.minSamples) || o.minSamples < 1) throw new PredictionError('INVALID_PARAMS', `residual corrector: minSamples = ${o.minSamples} must be an integer ≥ 1`);
    if (!(o.shrink >= 0)) throw new PredictionError('INVALID_PARAMS', `residual corrector: shrink = ${o.shrink} must be ≥ 0`);
    this.opts = o;
  }

  /** A task finished: record its residual under each of its keys. */
  observe(keys: readonly string[], predictedSeconds: number, actualSeconds: number): void {
    if (!(predictedSeconds >= 0) || !(actualSeconds >= 0)) {
      throw new PredictionError('INVALID_FEATURES', `residual corrector: predicted ${predictedSeconds} / actual ${actualSeconds} must be ≥ 0`);
    }
    const r = Math.log1p(actualSeconds) - Math.log1p(predictedSeconds);
    for (const k of keys) {
      let list = this.recent.get(k);
      if (!list) {
        list = [];
        this.recent.set(k, list);
      }
      list.push(r);
      if (list.length > this.opts.window) list.shift();
    }
  }

  /** Log-space correction from the first key (most specific first) with enough residuals; 0 if none. */
  correction(keys: readonly string[]): number {
    for (const k of keys) {
      const list = this.recent.get(k);
      if (!list || list.length < this.opts.minSamples) continue;
      const sorted = Float64Array.from(list).sort();
      const m = sorted.length >>> 1;
      const median = sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
      return (list.length / (list.length + this.opts.shrink)) * median;
    }
    return 0;
  }

  /** The corrected prediction (seconds). */
  correct(keys: readonly string[], predictedSeconds: number): number {
    return Math.max(0, Math.expm1(Math.log1p(Math.max(0, predictedSeconds)) + this.correction(keys)));
  }
}

/**
 * Replays predictions made at arrival through a corrector: each task's prediction is corrected with the
 * residuals of tasks that finished strictly before its arrival, and its own residual (against the
 * uncorrected model output) is recorded at its end. Returns the corrected predictions.
 */
export function replayResidualCorrection(
  corrector: OnlineResidualCorrector,
  stream: {
    readonly createTimes: ArrayLike<number>;
    readonly endTimes: ArrayLike<number>;
    readonly predicted: ArrayLike<number>;
    readonly actual: ArrayLike<number>;
    readonly keys: ReadonlyArray<readonly string[]>;
  },
): Float64Array {
  const n = stream.createTimes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => stream.createTimes[a] - stream.createTimes[b] || a - b);
  const byEnd = order.slice().sort((a, b) => stream.endTimes[a] - stream.endTimes[b] || a - b);
  const out = new Float64Array(n);
  let e = 0;
  for (const i of order) {
    const now = stream.createTimes[i];
    while (e < n && stream.endTimes[byEnd[e]] < now) {
      const k = byEnd[e++];
      corrector.observe(stream.keys[k], stream.predicted[k], stream.actual[k]);
    }
    out[i] = corrector.correct(stream.keys[i], stream.predicted[i]);
  }
  return out;
}

import { PredictionError } from './prediction.errors';

/**
 * Conformal calibration of an upper quantile on a rolling window of recent outcomes.
 *
 * Split-conformal regression (Vovk et al. 2005; conformalized quantile regression, Romano, Patterson &
 * Candès, NeurIPS 2019): the non-conformity score of an outcome is how far the actual duration lies above
 * the model's raw upper quantile, in log space, s = log1p(actual) − log1p(rawUpper). The calibrated upper
 * bound for a new task is rawUpper shifted by the ⌈(n + 1)(1 − α)⌉-th smallest of the n most recent scores,
 * which covers with probability ≥ 1 − α when the scores are exchangeable.
 *
 * Durations drift, so the scores are not exchangeable over a day; adaptive conformal inference (Gibbs &
 * Candès, "Adaptive Conformal Inference Under Distribution Shift", NeurIPS 2021) adjusts the level online:
 * α_{t+1} = α_t + γ (α − err_t), where err_t = 1 when the bound issued for outcome t missed it. Over any
 * stretch of T outcomes the miss rate stays within (max(α₁, 1 − α₁) + γ) / (γ T) of α, whatever the data
 * do. With γ = 0 this is plain split-conformal on the rolling window.
 *
 * Pure and synchronous; the live analyzer keeps one per served model. Feedback may arrive late (a task's
 * outcome is known when it finishes): `observe` takes the bound that was issued for that task.
 */
export interface ConformalCalibratorOptions {
  /** Target coverage 1 − α of the calibrated bound, e.g. 0.9. */
  readonly coverage: number;
  /** Recent scores kept (the calibration set). */
  readonly window: number;
  /** Below this many scores the raw upper is returned unchanged (shifted by 0). */
  readonly minSamples: number;
  /** ACI step γ; 0 disables the adaptation. */
  readonly step: number;
}

export const DEFAULT_CONFORMAL_OPTIONS: ConformalCalibratorOptions = { coverage: 0.9, window: 2000, minSamples: 50, step: 0.005 };

export interface ConformalOutcome {
  /** The model's uncalibrated upper quantile for the task (seconds). */
  readonly rawUpper: number;
  /** The calibrated bound that was issued for it (seconds); decides err_t for the ACI update. */
  readonly issuedUpper: number;
  readonly actual: number;
}

export interface ConformalState {
  readonly samples: number;
  /** Current miscoverage level α_t used for the quantile. */
  readonly alpha: number;
  /** Current log-space shift added to log1p(rawUpper). */
  readonly shift: number;
  readonly observed: number;
  readonly misses: number;
}

const ALPHA_FLOOR = 1e-3;

export class RollingConformalCalibrator {
  private readonly opts: ConformalCalibratorOptions;
  /** Scores in arrival order (ring) and the same scores ascending. */
  private readonly ring: Float64Array;
  private ringNext = 0;
  private readonly sorted: Float64Array;
  private n = 0;
  private alphaT: number;
  private observedCount = 0;
  private missCount = 0;

  constructor(options: Partial<ConformalCalibratorOptions> = {}) {
    const o = { ...DEFAULT_CONFORMAL_OPTIONS, ...options };
    const bad = (field: string, value: number, rule: string): never => {
      throw new PredictionError('INVALID_PARAMS', `conformal calibrator: ${field} = ${value} ${rule}`);
    };
    if (!(o.coverage > 0 && o.coverage < 1)) bad('coverage', o.coverage, 'must be in (0, 1)');
    if (!Number.isInteger(o.window) || o.window < 1) bad('window', o.window, 'must be an integer ≥ 1');
    if (!Number.isInteger(o.minSamples) || o.minSamples < 1 || o.minSamples > o.window) bad('minSamples', o.minSamples, `must be an integer in 1..window (${o.window})`);
    if (!(o.step >= 0 && o.step < 1)) bad('step', o.step, 'must be in [0, 1)');
    this.opts = o;
    this.ring = new Float64Array(o.window);
    this.sorted = new Float64Array(o.window);
    this.alphaT = 1 - o.coverage;
  }

  get options(): ConformalCalibratorOptions {
    return this.opts;
  }

  /** Log-space shift for the current window and level (0 until `minSamples` scores are in). */
  shift(): number {
    if (this.n < this.opts.minSamples) return 0;
    const alpha = Math.min(1 - ALPHA_FLOOR, Math.max(ALPHA_FLOOR, this.alphaT));
    // Finite-sample split-conformal rank: the ⌈(n + 1)(1 − α)⌉-th smallest score (capped at the largest).
    const rank = Math.min(this.n, Math.ceil((this.n + 1) * (1 - alpha)));
    return this.sorted[Math.max(0, rank - 1)];
  }

  /** The calibrated upper bound (seconds) for a raw upper quantile (seconds). */
  calibrate(rawUpper: number): number {
    if (!(rawUpper >= 0)) throw new PredictionError('INVALID_FEATURES', `conformal calibrator: rawUpper = ${rawUpper} must be ≥ 0`);
    return Math.max(0, Math.expm1(Math.log1p(rawUpper) + this.shift()));
  }

  /** Batch form of `calibrate` with one shift for the whole batch (one decision instant). */
  calibrateInto(rawUpper: ArrayLike<number>, out: Float64Array): Float64Array {
    const s = this.shift();
    for (let i = 0; i < rawUpper.length; i++) out[i] = Math.max(0, Math.expm1(Math.log1p(Math.max(0, rawUpper[i])) + s));
    return out;
  }

  /** An outcome became known: its score joins the window and α_t moves by γ (α − err_t). */
  observe(o: ConformalOutcome): void {
    if (!(o.rawUpper >= 0) || !(o.actual >= 0) || !(o.issuedUpper >= 0)) {
      throw new PredictionError('INVALID_FEATURES', `conformal calibrator: outcome ${JSON.stringify(o)} needs finite values ≥ 0`);
    }
    const miss = o.actual > o.issuedUpper ? 1 : 0;
    this.observedCount++;
    this.missCount += miss;
    this.alphaT += this.opts.step * (1 - this.opts.coverage - miss);
    this.push(Math.log1p(o.actual) - Math.log1p(o.rawUpper));
  }

  state(): ConformalState {
    return { samples: this.n, alpha: this.alphaT, shift: this.shift(), observed: this.observedCount, misses: this.missCount };
  }

  private push(score: number): void {
    const cap = this.opts.window;
    if (this.n === cap) {
      const old = this.ring[this.ringNext];
      const at = lowerBound(this.sorted, this.n, old);
      this.sorted.copyWithin(at, at + 1, this.n);
      this.n--;
    }
    this.ring[this.ringNext] = score;
    this.ringNext = (this.ringNext + 1) % cap;
    const at = lowerBound(this.sorted, this.n, score);
    this.sorted.copyWithin(at + 1, at, this.n);
    this.sorted[at] = score;
    this.n++;
  }
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pinball (quantile) loss of an upper bound at level q, averaged: max(q (y − u), (q − 1)(y − u)). */
export function pinballLoss(actual: ArrayLike<number>, upper: ArrayLike<number>, q: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i] - upper[i];
    s += Math.max(q * e, (q - 1) * e);
  }
  return actual.length > 0 ? s / actual.length : NaN;
}

/**
 * Replays a time-ordered stream through a calibrator as the platform sees it: each task's bound is issued
 * at its arrival (`createTimes`), and its outcome is observed once it has finished (end < a later arrival).
 * Returns the issued bounds. Pure; `bench duration` and the tests use it.
 */
export function replayConformal(
  calibrator: RollingConformalCalibrator,
  stream: { readonly createTimes: ArrayLike<number>; readonly endTimes: ArrayLike<number>; readonly rawUpper: ArrayLike<number>; readonly actual: ArrayLike<number> },
): Float64Array {
  const n = stream.createTimes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => stream.createTimes[a] - stream.createTimes[b] || a - b);
  const byEnd = order.slice().sort((a, b) => stream.endTimes[a] - stream.endTimes[b] || a - b);
  const issued = new Float64Array(n);
  const done = new Uint8Array(n);
  let e = 0;
  for (const i of order) {
    const now = stream.createTimes[i];
    while (e < n && stream.endTimes[byEnd[e]] < now) {
      const k = byEnd[e++];
      // A task that ended before it was even predicted (cannot happen in a consistent stream) is skipped.
      if (!done[k]) continue;
      calibrator.observe({ rawUpper: stream.rawUpper[k], issuedUpper: issued[k], actual: stream.actual[k] });
    }
    issued[i] = calibrator.calibrate(stream.rawUpper[i]);
    done[i] = 1;
  }
  return issued;
}

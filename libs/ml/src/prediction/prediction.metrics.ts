/** Accuracy figures for duration predictions, on raw seconds. */
export interface PredictionMetrics {
  readonly n: number;
  readonly mae: number;
  /** Mean |error| / max(actual, 1 s): the floor keeps zero-second tasks from dominating. */
  readonly mape: number;
  /** Fraction of actuals ≤ the upper quantile, when one is given. */
  readonly upperCoverage: number | null;
}

export function predictionMetrics(
  actual: ArrayLike<number>,
  central: ArrayLike<number>,
  upper?: ArrayLike<number>,
  mask?: ArrayLike<number>,
): PredictionMetrics {
  let n = 0;
  let ae = 0;
  let ape = 0;
  let covered = 0;
  for (let i = 0; i < actual.length; i++) {
    if (mask && !mask[i]) continue;
    const err = Math.abs(actual[i] - central[i]);
    n++;
    ae += err;
    ape += err / Math.max(actual[i], 1);
    if (upper && actual[i] <= upper[i]) covered++;
  }
  return {
    n,
    mae: n > 0 ? ae / n : NaN,
    mape: n > 0 ? ape / n : NaN,
    upperCoverage: upper ? (n > 0 ? covered / n : NaN) : null,
  };
}

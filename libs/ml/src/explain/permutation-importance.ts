import type { FeatureMatrix } from '../prediction/gradient-boosting.model';
import { seededRandom } from '../common/random';
import { ExplainError } from './explain.errors';
import type { TreeShapExplainer } from './tree-shap.explainer';

/** Error of predictions against targets (lower is better), e.g. mean absolute error. */
export type ErrorMetric = (actual: ArrayLike<number>, predicted: ArrayLike<number>) => number;

export const meanAbsoluteError: ErrorMetric = (actual, predicted) => {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - predicted[i]);
  return actual.length > 0 ? s / actual.length : 0;
};

export interface PermutationImportanceOptions {
  /** Shuffles per feature; the increase is their mean (default 3). */
  readonly repeats?: number;
  readonly seed?: number;
  readonly metric?: ErrorMetric;
}

export interface PermutationImportanceResult {
  /** The metric on the unshuffled rows. */
  readonly baseline: number;
  /** Per feature (input order): mean increase of the metric when its column is shuffled, and its std over repeats. */
  readonly increase: Float64Array;
  readonly std: Float64Array;
  readonly repeats: number;
  readonly seed: number;
}

/**
 * Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019 "model reliance"): shuffle one column of
 * held-out rows, re-predict, and measure how much the error grows. Model-agnostic; `predict` must map a matrix
 * to predictions in the same space as `actual`. Seeded, so a version's figures are reproducible.
 */
export function permutationImportance(
  predict: (x: FeatureMatrix) => Float64Array,
  x: FeatureMatrix,
  actual: ArrayLike<number>,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const repeats = options.repeats ?? 3;
  const seed = options.seed ?? 1;
  const metric = options.metric ?? meanAbsoluteError;
  if (!Number.isInteger(repeats) || repeats < 1) throw new ExplainError('INVALID_PARAMS', `repeats must be a positive integer, got ${repeats}`);
  if (actual.length !== x.rows) throw new ExplainError('INVALID_INPUT', `${x.rows} rows but ${actual.length} targets`);
  if (x.rows < 2) throw new ExplainError('INVALID_INPUT', `permutation importance needs at least 2 rows, got ${x.rows}`);
  const { rows, cols } = x;
  const values = Float64Array.from(x.values);
  const work: FeatureMatrix = { values, rows, cols };
  const baseline = metric(actual, predict(work));
  const random = seededRandom(seed);
  const increase = new Float64Array(cols);
  const std = new Float64Array(cols);
  const column = new Float64Array(rows);
  const perm = new Uint32Array(rows);
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) column[i] = values[i * cols + j];
    let sum = 0;
    let sumSq = 0;
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < rows; i++) perm[i] = i;
      for (let i = rows - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        const t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
      }
      for (let i = 0; i < rows; i++) values[i * cols + j] = column[perm[i]];
      const d = metric(actual, predict(work)) - baseline;
      sum += d;
      sumSq += d * d;
    }
    for (let i = 0; i < rows; i++) values[i * cols + j] = column[i];
    increase[j] = sum / repeats;
    std[j] = Math.sqrt(Math.max(0, sumSq / repeats - increase[j] * increase[j]));
  }
  return { baseline, increase, std, repeats, seed };
}

/** Mean |φ_j| over the rows of `x`: the global view TreeSHAP gives (Lundberg et al. 2020). */
export function meanAbsoluteShap(explainer: TreeShapExplainer, x: FeatureMatrix): Float64Array {
  if (x.cols !== explainer.nFeatures) throw new ExplainError('INVALID_INPUT', `matrix has ${x.cols} columns, the model reads ${explainer.nFeatures}`);
  const out = new Float64Array(x.cols);
  const phi = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) {
    explainer.contributionsInto(x.values.subarray(i * x.cols, (i + 1) * x.cols), phi);
    for (let j = 0; j < x.cols; j++) out[j] += Math.abs(phi[j]);
  }
  if (x.rows > 0) for (let j = 0; j < x.cols; j++) out[j] /= x.rows;
  return out;
}

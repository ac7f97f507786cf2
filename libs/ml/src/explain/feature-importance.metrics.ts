import type { FeatureImportance, ModelRef } from '@kairos/contracts';
import type { ModelMetrics } from '../registry/model-version.model';
import { IMPORTANCE_METRIC_PREFIX } from '../registry/model-version.model';
import { ExplainError } from './explain.errors';
import type { PermutationImportanceResult } from './permutation-importance';

/**
 * A version's feature importances travel in its registry metrics (a flat map of finite numbers every store
 * already persists), under reserved keys:
 *   importance.permutation.<feature>      mean increase of the metric when <feature> is shuffled
 *   importance.permutation_std.<feature>  its std over the repeats
 *   importance.mean_abs_shap.<feature>    mean |TreeSHAP| over the same rows (absent when not computed)
 *   importance.repeats / importance.seed / importance.rows
 * Versions registered before this have none of these keys; `importanceFromMetrics` then returns null.
 */
const PERM = `${IMPORTANCE_METRIC_PREFIX}permutation.`;
const PERM_STD = `${IMPORTANCE_METRIC_PREFIX}permutation_std.`;
const SHAP = `${IMPORTANCE_METRIC_PREFIX}mean_abs_shap.`;
const REPEATS = `${IMPORTANCE_METRIC_PREFIX}repeats`;
const SEED = `${IMPORTANCE_METRIC_PREFIX}seed`;
const ROWS = `${IMPORTANCE_METRIC_PREFIX}rows`;

export function importanceToMetrics(
  features: readonly string[],
  permutation: PermutationImportanceResult,
  rows: number,
  meanAbsShap?: ArrayLike<number>,
): Record<string, number> {
  if (permutation.increase.length !== features.length) {
    throw new ExplainError('INVALID_INPUT', `${permutation.increase.length} importances for ${features.length} features`);
  }
  if (meanAbsShap !== undefined && meanAbsShap.length !== features.length) {
    throw new ExplainError('INVALID_INPUT', `${meanAbsShap.length} mean |SHAP| values for ${features.length} features`);
  }
  const out: Record<string, number> = { [REPEATS]: permutation.repeats, [SEED]: permutation.seed, [ROWS]: rows };
  features.forEach((f, j) => {
    out[PERM + f] = permutation.increase[j];
    out[PERM_STD + f] = permutation.std[j];
    if (meanAbsShap !== undefined) out[SHAP + f] = meanAbsShap[j];
  });
  return out;
}

/** The importances stored in a version's metrics, in the version's feature order; null for versions without them. */
export function importanceFromMetrics(metrics: ModelMetrics, features: readonly string[], model: ModelRef, metricName = 'mae'): FeatureImportance | null {
  if (metrics[REPEATS] === undefined || features.every((f) => metrics[PERM + f] === undefined)) return null;
  return {
    model,
    metric: metricName,
    repeats: metrics[REPEATS],
    seed: metrics[SEED] ?? 0,
    validationRows: metrics[ROWS] ?? 1,
    features: features.map((f) => ({
      feature: f,
      permutationIncrease: metrics[PERM + f] ?? 0,
      permutationStd: metrics[PERM_STD + f] ?? 0,
      meanAbsShap: metrics[SHAP + f] ?? null,
    })),
  };
}

/** Metrics without the importance keys (for tables that list a version's scores). */
export function withoutImportance(metrics: ModelMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => !k.startsWith(IMPORTANCE_METRIC_PREFIX)));
}

import type { ExplainedPrediction, ExplanationOutputSpace, ModelRef, PredictionExplanation } from '@kairos/contracts';
import type { DurationPredictorJson } from '../prediction/duration.predictor';
import type { FeatureMatrix } from '../prediction/gradient-boosting.model';
import { ExplainError, isExplainError } from './explain.errors';
import { TreeShapExplainer } from './tree-shap.explainer';

export interface ExplanationContext {
  readonly model: ModelRef;
  /** Which output is explained, e.g. 'duration_p50'. */
  readonly target: string;
  readonly outputSpace: ExplanationOutputSpace;
  readonly featureNames: readonly string[];
  /** Contributions kept by |φ| (default 8); the rest are summed into restContribution. */
  readonly topK?: number;
  /** When the explanation is made (injected: pure code reads no clock). */
  readonly at: Date;
}

/** A PredictionExplanation (contracts) for one row: TreeSHAP values, top-k by magnitude, the rest summed. */
export function explainPrediction(explainer: TreeShapExplainer, row: ArrayLike<number>, ctx: ExplanationContext): ExplainedPrediction {
  if (ctx.featureNames.length !== explainer.nFeatures) {
    throw new ExplainError('INVALID_INPUT', `${ctx.featureNames.length} feature names for a model reading ${explainer.nFeatures}`);
  }
  const phi = explainer.contributionsInto(row, new Float64Array(explainer.nFeatures));
  const k = Math.min(ctx.topK ?? 8, phi.length, 64);
  const order = Array.from(phi.keys()).sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]) || a - b);
  let rest = 0;
  for (let i = k; i < order.length; i++) rest += phi[order[i]];
  return {
    status: 'explained',
    model: ctx.model,
    target: ctx.target,
    method: 'tree_shap_path_dependent',
    outputSpace: ctx.outputSpace,
    baseValue: explainer.baseValue,
    prediction: explainer.predict(row),
    top: order.slice(0, k).map((j) => ({ feature: ctx.featureNames[j], value: Number.isFinite(row[j]) ? row[j] : null, contribution: phi[j] })),
    restContribution: rest,
    featureCount: explainer.nFeatures,
    computedAt: ctx.at.toISOString(),
  };
}

/** The answer when no attribution can be made; the prediction itself still stands. */
export function unavailableExplanation(
  model: ModelRef | null,
  target: string,
  reason: 'no_node_covers' | 'model_not_supported' | 'no_model' | 'error',
  at: Date,
  detail?: string,
): PredictionExplanation {
  return { status: 'unavailable', model, target, reason, computedAt: at.toISOString(), ...(detail !== undefined ? { detail: detail.slice(0, 500) } : {}) };
}

/** Explainers for both quantile models of a duration predictor artifact (p50 and the upper quantile). */
export interface DurationExplainers {
  readonly featureNames: readonly string[];
  readonly upperQuantile: number;
  readonly central: TreeShapExplainer;
  readonly upper: TreeShapExplainer;
}

/**
 * Built once per loaded model version. Returns null when the artifact predates node covers and no
 * background rows are given (callers answer with `unavailableExplanation(…, 'no_node_covers', …)`).
 */
export function durationExplainers(json: DurationPredictorJson, background?: FeatureMatrix): DurationExplainers | null {
  try {
    return {
      featureNames: json.featureNames,
      upperQuantile: json.upperQuantile,
      central: TreeShapExplainer.fromJSON(json.central, background),
      upper: TreeShapExplainer.fromJSON(json.upper, background),
    };
  } catch (e) {
    if (isExplainError(e, 'COVERS_UNAVAILABLE')) return null;
    throw e;
  }
}

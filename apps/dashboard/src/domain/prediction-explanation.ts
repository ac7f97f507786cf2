// "Why this estimate": the analyzer's explanation of a task's duration estimate
// (GET /api/predictions/:taskId/explanation, libs/contracts PredictionExplanation for p50 and p90). The
// duration models work in log1p(seconds), so a contribution φ multiplies (1 + seconds) by e^φ: the panel
// shows each feature's factor (×1.8, ×0.6) next to the raw value, from the base value (what the model
// predicts for an average training task) to the estimate.
//
// {
//   "taskId": "…", "model": "duration", "modelVersion": "3", "p50Ms": 8123, "p90Ms": 15010,
//   "p50": { "status": "explained", "model": { "name": "duration", "version": 3, "featureSchemaHash": "…" },
//            "target": "duration_p50", "method": "tree_shap_path_dependent", "outputSpace": "log1p_seconds",
//            "baseValue": 1.7, "prediction": 2.2, "top": [{ "feature": "sim_mean", "value": 7.9, "contribution": 0.41 }, …],
//            "restContribution": 0.02, "featureCount": 60, "computedAt": "…" }
//        | { "status": "unavailable", "model": null, "target": "duration_p50", "reason": "model_not_supported", "detail": "…" },
//   "p90": { … },
//   "importance": { "features": [{ "feature": "sim_mean", "permutationIncrease": 2.1, "permutationStd": 0.2, "meanAbsShap": 0.5 }, …], … } | null
// }
import * as z from 'zod/mini';
import { formatNumber } from './format';

const ContributionSchema = z.object({ feature: z.string(), value: z.nullable(z.number()), contribution: z.number() });
const ExplainedSchema = z.object({
  status: z.literal('explained'),
  target: z.string(),
  method: z.string(),
  outputSpace: z.string(),
  baseValue: z.number(),
  prediction: z.number(),
  top: z.array(ContributionSchema),
  restContribution: z.number(),
  featureCount: z.number(),
});
const UnavailableSchema = z.object({ status: z.literal('unavailable'), target: z.string(), reason: z.string(), detail: z.optional(z.string()) });
const ImportanceSchema = z.object({
  features: z.array(z.object({ feature: z.string(), permutationIncrease: z.number(), permutationStd: z.number(), meanAbsShap: z.nullable(z.number()) })),
});

export const EstimateExplanationSchema = z.object({
  model: z.string(),
  modelVersion: z.string(),
  p50: z.union([ExplainedSchema, UnavailableSchema]),
  p90: z.union([ExplainedSchema, UnavailableSchema]),
  importance: z.nullable(ImportanceSchema),
});
export type EstimateExplanation = z.infer<typeof EstimateExplanationSchema>;

export interface ContributionRow {
  feature: string;
  value: string;
  /** φ in the model's output space, signed. */
  contribution: string;
  /** e^φ for log1p-seconds models ("×1.52"), else empty. */
  factor: string;
  /** |φ| / the largest |φ| shown: the bar's length, 0..1. */
  share: number;
  raises: boolean;
}

export interface ExplanationView {
  /** One sentence, e.g. "duration v3: from the training baseline of 4.5 s, this task's features make the p50 8.1 s". */
  summary: string;
  rows: ContributionRow[];
  /** The contributions left out of the rows, summed ("+0.02 from 52 other features"); empty when none. */
  rest: string;
  /** base + Σφ − prediction, to show when it does not add up (it must). */
  inconsistent: boolean;
  /** Features of the version by permutation importance (largest first, at most 5). */
  globalTop: Array<{ feature: string; increase: string }>;
}

export function parseEstimateExplanation(raw: unknown): { explanation: EstimateExplanation | null; problem: string | null } {
  if (raw === undefined || raw === null) return { explanation: null, problem: null };
  const r = EstimateExplanationSchema.safeParse(raw);
  if (r.success) return { explanation: r.data, problem: null };
  const issue = r.error.issues[0];
  return { explanation: null, problem: `${issue.path.join('.')}: ${issue.message}` };
}

const signed = (v: number, digits = 3) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${formatNumber(Math.abs(v), digits)}`;
/** A log1p-seconds output as a duration in seconds. */
const seconds = (logOut: number) => `${formatNumber(Math.max(0, Math.expm1(logOut)), 1)} s`;

/** The p50 explanation as the panel shows it; null when it is unavailable (the reason is shown instead). */
export function explanationView(e: EstimateExplanation): ExplanationView | null {
  const p = e.p50;
  if (p.status !== 'explained') return null;
  const log = p.outputSpace === 'log1p_seconds';
  const max = Math.max(1e-12, ...p.top.map((c) => Math.abs(c.contribution)));
  const total = p.baseValue + p.top.reduce((a, c) => a + c.contribution, 0) + p.restContribution;
  const others = p.featureCount - p.top.length;
  return {
    summary: log
      ? `${e.model} v${e.modelVersion}: from the training baseline of ${seconds(p.baseValue)}, this task's features make the p50 ${seconds(p.prediction)}`
      : `${e.model} v${e.modelVersion}: base ${formatNumber(p.baseValue, 3)} → ${formatNumber(p.prediction, 3)}`,
    rows: p.top.map((c) => ({
      feature: c.feature,
      value: c.value === null ? 'missing' : formatNumber(c.value, 3),
      contribution: signed(c.contribution),
      factor: log ? `×${formatNumber(Math.exp(c.contribution), 2)}` : '',
      share: Math.abs(c.contribution) / max,
      raises: c.contribution > 0,
    })),
    rest: others > 0 ? `${signed(p.restContribution)} from ${others} other feature${others === 1 ? '' : 's'}` : '',
    inconsistent: Math.abs(total - p.prediction) > 1e-6 * Math.max(1, Math.abs(p.prediction)),
    globalTop: [...(e.importance?.features ?? [])]
      .sort((a, b) => b.permutationIncrease - a.permutationIncrease)
      .slice(0, 5)
      .map((f) => ({ feature: f.feature, increase: `${signed(f.permutationIncrease, 2)} s MAE` })),
  };
}

/** Why there is no attribution, in words. */
export function unavailableReason(e: EstimateExplanation): string {
  const p = e.p50;
  if (p.status === 'explained') return '';
  const why: Record<string, string> = {
    model_not_supported: 'this estimate is not a model prediction',
    no_model: 'no model made this estimate',
    no_node_covers: 'the model version predates attribution support',
    error: 'the attribution could not be computed',
  };
  return `${why[p.reason] ?? p.reason}${p.detail ? ` (${p.detail})` : ''}`;
}

import { z } from 'zod';

/**
 * Why a model predicted what it did, for one prediction. Additive attributions: in `outputSpace`,
 * baseValue + Σ top[].contribution + restContribution = prediction (checked, to 1e-6 relative). For the GBDT
 * duration models these are path-dependent TreeSHAP values in log1p(seconds), so a contribution of +0.69 means
 * "this feature roughly doubled the estimate".
 */
export const EXPLANATION_METHODS = ['tree_shap_path_dependent', 'gradient_x_input'] as const;
export type ExplanationMethod = (typeof EXPLANATION_METHODS)[number];

/** Space the model's raw output lives in; contributions add up there, not in seconds. */
export const EXPLANATION_OUTPUT_SPACES = ['log1p_seconds', 'seconds', 'raw'] as const;
export type ExplanationOutputSpace = (typeof EXPLANATION_OUTPUT_SPACES)[number];

export const ModelRefSchema = z
  .object({
    name: z.string().min(1).max(100),
    version: z.number().int().min(1),
    /** featureSchemaHash of the version (SHA-256 hex), so a reader can tell which feature list the names index. */
    featureSchemaHash: z.string().regex(/^[0-9a-f]{64}$/, 'featureSchemaHash must be 64 lower-case hex digits'),
  })
  .strict();
export type ModelRef = z.infer<typeof ModelRefSchema>;

export const FeatureContributionSchema = z
  .object({
    feature: z.string().min(1).max(200),
    /** The input value the model saw; null for a missing (NaN) input. */
    value: z.number().nullable(),
    contribution: z.number(),
  })
  .strict();
export type FeatureContribution = z.infer<typeof FeatureContributionSchema>;

const ExplainedPredictionSchema = z
  .object({
    status: z.literal('explained'),
    model: ModelRefSchema,
    /** Which output was explained, e.g. 'duration_p50', 'duration_p90', 'memory_p90'. */
    target: z.string().min(1).max(100),
    method: z.enum(EXPLANATION_METHODS),
    outputSpace: z.enum(EXPLANATION_OUTPUT_SPACES),
    /** E[f(X)] over the training data (TreeSHAP: the training covers). */
    baseValue: z.number(),
    /** The model's raw output, in outputSpace. */
    prediction: z.number(),
    /** Largest |contribution| first. */
    top: z.array(FeatureContributionSchema).max(64),
    /** Sum of the contributions left out of `top`. */
    restContribution: z.number(),
    /** How many features the model reads (top.length ≤ featureCount). */
    featureCount: z.number().int().min(1),
    computedAt: z.string().datetime(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const total = e.baseValue + e.top.reduce((a, c) => a + c.contribution, 0) + e.restContribution;
    if (Math.abs(total - e.prediction) > 1e-6 * Math.max(1, Math.abs(e.prediction))) {
      ctx.addIssue({ code: 'custom', path: ['prediction'], message: `baseValue + contributions = ${total}, not the prediction ${e.prediction}` });
    }
    if (e.top.length > e.featureCount) ctx.addIssue({ code: 'custom', path: ['top'], message: `${e.top.length} contributions for ${e.featureCount} features` });
    for (let i = 1; i < e.top.length; i++) {
      if (Math.abs(e.top[i].contribution) > Math.abs(e.top[i - 1].contribution)) {
        ctx.addIssue({ code: 'custom', path: ['top', i], message: 'top must be ordered by |contribution|, largest first' });
        break;
      }
    }
  });

/** No attribution could be computed; says why instead of failing the prediction. */
const UnexplainedPredictionSchema = z
  .object({
    status: z.literal('unavailable'),
    model: ModelRefSchema.nullable(),
    target: z.string().min(1).max(100),
    reason: z.enum(['no_node_covers', 'model_not_supported', 'no_model', 'error']),
    detail: z.string().max(500).optional(),
    computedAt: z.string().datetime(),
  })
  .strict();

export const PredictionExplanationSchema = z.discriminatedUnion('status', [ExplainedPredictionSchema, UnexplainedPredictionSchema]);
export type PredictionExplanation = z.infer<typeof PredictionExplanationSchema>;
export type ExplainedPrediction = Extract<PredictionExplanation, { status: 'explained' }>;

/**
 * Global importance of a model version's features, computed at training on its validation set: permutation
 * importance (increase of `metric` when the feature's column is shuffled, mean over `repeats` seeded
 * shuffles) and mean |TreeSHAP| over the same rows.
 */
export const FeatureImportanceSchema = z
  .object({
    model: ModelRefSchema,
    metric: z.string().min(1).max(50),
    repeats: z.number().int().min(1),
    seed: z.number().int(),
    validationRows: z.number().int().min(1),
    features: z
      .array(
        z
          .object({
            feature: z.string().min(1).max(200),
            permutationIncrease: z.number(),
            permutationStd: z.number().min(0),
            meanAbsShap: z.number().min(0).nullable(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type FeatureImportance = z.infer<typeof FeatureImportanceSchema>;

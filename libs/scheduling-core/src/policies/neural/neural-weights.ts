import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { formatZodIssues } from '@kairos/contracts';
import { z } from 'zod';
import { PolicyWeightsError } from '../../model/errors';
import { CONTEXT_FEATURES, TASK_FEATURES } from './neural-features';

/**
 * The serialised learned scheduling policy: a versioned JSON document the model registry stores and
 * the executor loads. It holds the network (dense layers with their shapes), the ordered feature
 * lists with their normalisation, the SHA-256 of the feature list (the same `featureSchemaHash` the
 * model registry keeps: SHA-256 of the JSON array of names), the policy knobs that are not learned,
 * and how it was trained.
 */
export const POLICY_WEIGHTS_FORMAT = 'kairos.scheduling-policy';
export const POLICY_WEIGHTS_FORMAT_VERSION = 1;
export const DENSE_ACTIVATIONS = ['linear', 'relu', 'tanh'] as const;
export type DenseActivation = (typeof DENSE_ACTIVATIONS)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((x) => x > 0, 'must be > 0');

const denseLayerSchema = z.object({
  /** [inputs, outputs]. */
  shape: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  /** Row-major inputs × outputs: weights[i × outputs + j] connects input i to output j. */
  weights: z.array(finite),
  bias: z.array(finite),
  activation: z.enum(DENSE_ACTIVATIONS),
});

const networkSchema = z.object({ layers: z.array(denseLayerSchema).min(1) });

const trainingSchema = z.object({
  method: z.string().min(1),
  seed: z.number().int(),
  trainedOn: z.string().min(1),
  budget: z.string().min(1),
  command: z.string(),
  backend: z.string(),
  createdAt: z.string(),
  validationScore: finite.optional(),
  iterations: z.number().int().min(0).optional(),
  /** Anything else the trainer wants to keep (curves are written to a separate file). */
  notes: z.record(z.string(), z.unknown()).optional(),
});

export const policyWeightsSchema = z
  .object({
    format: z.literal(POLICY_WEIGHTS_FORMAT),
    formatVersion: z.literal(POLICY_WEIGHTS_FORMAT_VERSION),
    /** Which policy the document is for ('rl'). */
    policy: z.string().min(1),
    /** This version's id in the registry (free text, e.g. "rl-2026-11-30-seed1"). */
    version: z.string().min(1),
    taskFeatures: z.array(z.string().min(1)).min(1),
    contextFeatures: z.array(z.string()),
    featureSchemaHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256)'),
    normalisation: z.object({
      taskMean: z.array(finite),
      taskStd: z.array(positive),
      contextMean: z.array(finite),
      contextStd: z.array(positive),
    }),
    /** Linear term over the normalised task features (the residual network adds to it). */
    taskSkip: z.array(finite),
    /** Task features (normalised) → one score; cached per task in the ranked index. */
    taskNet: networkSchema,
    /** Task ++ context features (normalised) → one score; evaluated on the shortlist per decision. */
    contextNet: networkSchema,
    /** Score gained per hour waited (≥ 0; keeps the index order stable between events). */
    agingPerHour: finite.refine((x) => x >= 0, 'must be ≥ 0'),
    /** Best tasks by the cached score that fit now, scored with the context network each decision. */
    shortlist: z.number().int().min(1).max(256),
    pilotFraction: finite.refine((x) => x > 0 && x <= 1, 'must be in (0, 1]'),
    elapsedStretch: finite.refine((x) => x >= 1, 'must be ≥ 1'),
    training: trainingSchema,
  })
  .superRefine((w, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const nt = w.taskFeatures.length;
    const nc = w.contextFeatures.length;
    const sameLength = (path: string, got: number, want: number, what: string): void => {
      if (got !== want) issue(path.split('.'), `expected ${want} numbers (one per ${what}), got ${got}`);
    };
    sameLength('normalisation.taskMean', w.normalisation.taskMean.length, nt, 'task feature');
    sameLength('normalisation.taskStd', w.normalisation.taskStd.length, nt, 'task feature');
    sameLength('normalisation.contextMean', w.normalisation.contextMean.length, nc, 'context feature');
    sameLength('normalisation.contextStd', w.normalisation.contextStd.length, nc, 'context feature');
    sameLength('taskSkip', w.taskSkip.length, nt, 'task feature');
    const checkNet = (name: 'taskNet' | 'contextNet', inputs: number): void => {
      let expectIn = inputs;
      w[name].layers.forEach((l, i) => {
        const [nin, nout] = l.shape;
        if (nin !== expectIn) issue([name, 'layers', i, 'shape'], `expected ${expectIn} inputs (${i === 0 ? 'the feature count' : 'the previous layer\'s outputs'}), got ${nin}`);
        if (l.weights.length !== nin * nout) issue([name, 'layers', i, 'weights'], `expected ${nin * nout} numbers (shape ${nin}×${nout}), got ${l.weights.length}`);
        if (l.bias.length !== nout) issue([name, 'layers', i, 'bias'], `expected ${nout} numbers, got ${l.bias.length}`);
        expectIn = nout;
      });
      const last = w[name].layers.length - 1;
      if (expectIn !== 1) issue([name, 'layers', last, 'shape'], `the last layer must have 1 output (a score), got ${expectIn}`);
    };
    checkNet('taskNet', nt);
    checkNet('contextNet', nt + nc);
    const hash = featureSchemaHashOf(w.taskFeatures, w.contextFeatures);
    if (w.featureSchemaHash !== hash) issue(['featureSchemaHash'], `does not match the feature lists (their hash is ${hash})`);
  });

export type PolicyWeights = z.infer<typeof policyWeightsSchema>;
export type DenseLayerWeights = z.infer<typeof denseLayerSchema>;
export type NetworkWeights = z.infer<typeof networkSchema>;

/** SHA-256 (hex) of the JSON array of the task then context feature names, as the model registry hashes a feature list. */
export function featureSchemaHashOf(taskFeatures: readonly string[], contextFeatures: readonly string[]): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify([...taskFeatures, ...contextFeatures]))));
}

/** The feature schema this build computes. */
export const CURRENT_FEATURE_SCHEMA_HASH = featureSchemaHashOf(TASK_FEATURES, CONTEXT_FEATURES);

/**
 * Validates an untrusted weights document (a parsed JSON value) and checks that its feature schema
 * is the one this build computes. Throws PolicyWeightsError naming every bad field.
 */
export function parsePolicyWeights(raw: unknown, source = 'weights'): PolicyWeights {
  const r = policyWeightsSchema.safeParse(raw);
  if (!r.success) throw new PolicyWeightsError(source, formatZodIssues(r.error));
  const w = r.data;
  const issues: string[] = [];
  const compare = (field: 'taskFeatures' | 'contextFeatures', want: readonly string[]): void => {
    const got = w[field];
    if (got.length !== want.length || got.some((f, i) => f !== want[i])) {
      issues.push(`${field}: this build computes [${want.join(', ')}], the weights expect [${got.join(', ')}]`);
    }
  };
  compare('taskFeatures', TASK_FEATURES);
  compare('contextFeatures', CONTEXT_FEATURES);
  if (issues.length) throw new PolicyWeightsError(source, issues);
  return w;
}

import { z } from 'zod';
import { PredictionExplanationSchema } from './prediction-explanation.schema';

/**
 * One scheduling or operations decision and why it was made: which policy (and version) decided, what it saw,
 * the score components of the winner, the runner-up and why it lost, and a confidence. The executor records
 * one per decision (summaries always; the full candidate list may be sampled under load); the gateway serves
 * them per task, per node and per time range.
 */
export const DECISION_KINDS = ['ordering', 'placement', 'allocation', 'retry', 'failover', 'diagnosis', 'repair'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** Why the second-best candidate was not chosen. */
export const RUNNER_UP_LOSS_REASONS = [
  /** Its total score was worse (see margin). */
  'lower_score',
  /** Equal score; a deterministic tie-break (e.g. id order, arrival order) went the other way. */
  'tie_break',
  /** It did not fit (requests above the node's free capacity, or the node above the task's needs). */
  'did_not_fit',
  /** A hard constraint excluded it (cordoned node, label/affinity, dependency not met, retry budget spent). */
  'constraint',
] as const;
export type RunnerUpLossReason = (typeof RUNNER_UP_LOSS_REASONS)[number];

const finite = z.number().finite();

export const ResourceVectorSchema = z
  .object({
    cpuMillis: finite.min(0),
    memMb: finite.min(0),
    gpu: finite.min(0),
  })
  .strict();

/** One term of a policy's score: the input it read, its weight and what it added to the total. */
export const ScoreComponentSchema = z
  .object({
    name: z.string().min(1).max(100),
    /** The raw input, in its own unit (e.g. free memory share 0.42, estimate 12.5 s). */
    input: finite.nullable(),
    weight: finite.nullable(),
    /** What this term added to the total score (weight × transformed input for linear scores). */
    contribution: finite,
  })
  .strict();
export type ScoreComponent = z.infer<typeof ScoreComponentSchema>;

export const DecisionCandidateSchema = z
  .object({
    /** A task id (ordering), node id (placement), action id (repair)… as the kind implies. */
    id: z.string().min(1).max(200),
    label: z.string().max(200).optional(),
    score: finite.nullable(),
    components: z.array(ScoreComponentSchema).max(32),
    /** False when excluded before scoring (did not fit, constraint); then `excludedBy` says why. */
    eligible: z.boolean(),
    excludedBy: z.string().max(200).optional(),
  })
  .strict();
export type DecisionCandidate = z.infer<typeof DecisionCandidateSchema>;

/** What the policy saw. Fields absent when they do not apply to the kind. */
export const DecisionInputsSchema = z
  .object({
    /** The duration estimate the policy used: central value and the upper quantile (level and value). */
    estimate: z
      .object({
        p50Ms: finite.min(0),
        quantile: z.object({ level: z.number().gt(0).lt(1), valueMs: finite.min(0) }).strict(),
        /** Model and version that produced it; null for a fallback (e.g. no model in production). */
        model: z.object({ name: z.string().min(1).max(100), version: z.number().int().min(1) }).strict().nullable(),
        explanation: PredictionExplanationSchema.optional(),
      })
      .strict()
      .optional(),
    requests: ResourceVectorSchema.optional(),
    /** Free capacity of the chosen node at decision time. */
    nodeFree: ResourceVectorSchema.optional(),
    waitingMs: finite.min(0).optional(),
    queueLength: z.number().int().min(0).optional(),
    attempt: z.number().int().min(1).optional(),
    /** Anything else the policy read (kind-specific), by name. */
    extra: z.record(z.string().min(1).max(100), z.union([finite, z.string().max(500), z.boolean()])).optional(),
  })
  .strict();
export type DecisionInputs = z.infer<typeof DecisionInputsSchema>;

export const DecisionRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    decisionId: z.string().uuid(),
    kind: z.enum(DECISION_KINDS),
    at: z.string().datetime(),
    policy: z.object({ name: z.string().min(1).max(100), version: z.string().min(1).max(100) }).strict(),
    /** The task the decision is about; null for decisions about a node only (diagnosis, some repairs). */
    taskId: z.string().uuid().nullable(),
    /** The node chosen or concerned; null when none (ordering before placement). */
    nodeId: z.string().min(1).max(200).nullable(),
    workflowRunId: z.string().uuid().nullable().optional(),
    /** Whether a higher or a lower score wins for this policy. */
    objective: z.enum(['max', 'min']),
    chosen: DecisionCandidateSchema,
    runnerUp: z
      .object({
        candidate: DecisionCandidateSchema,
        reason: z.enum(RUNNER_UP_LOSS_REASONS),
        /** |chosen.score − runnerUp.score| when both have a score, else null. */
        margin: finite.min(0).nullable(),
        detail: z.string().max(500).optional(),
      })
      .strict()
      .nullable(),
    inputs: DecisionInputsSchema,
    /** In [0, 1]: the policy's own confidence (e.g. from the score margin or the estimate's spread); null if it has none. */
    confidence: z.number().min(0).max(1).nullable(),
    /** How many candidates were considered; `candidates` may hold all of them, a sample, or none. */
    candidatesConsidered: z.number().int().min(0),
    candidates: z.array(DecisionCandidateSchema).max(1000).optional(),
    candidatesSampled: z.boolean(),
    /** One line for people: "node-3: most free memory after fit (0.42 vs 0.31 on node-7)". */
    summary: z.string().min(1).max(500),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.candidates !== undefined && d.candidates.length > d.candidatesConsidered) {
      ctx.addIssue({ code: 'custom', path: ['candidates'], message: `${d.candidates.length} candidates listed but ${d.candidatesConsidered} considered` });
    }
    if (d.runnerUp !== null && d.runnerUp.reason === 'lower_score' && d.chosen.score !== null && d.runnerUp.candidate.score !== null) {
      const better = d.objective === 'max' ? d.chosen.score >= d.runnerUp.candidate.score : d.chosen.score <= d.runnerUp.candidate.score;
      if (!better) ctx.addIssue({ code: 'custom', path: ['runnerUp', 'candidate', 'score'], message: `runner-up scores better than the chosen candidate under objective ${d.objective}` });
    }
    if ((d.kind === 'placement' || d.kind === 'failover') && d.nodeId === null) {
      ctx.addIssue({ code: 'custom', path: ['nodeId'], message: `a ${d.kind} decision must name its node` });
    }
    if ((d.kind === 'ordering' || d.kind === 'placement' || d.kind === 'retry') && d.taskId === null) {
      ctx.addIssue({ code: 'custom', path: ['taskId'], message: `a ${d.kind} decision must name its task` });
    }
  });
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

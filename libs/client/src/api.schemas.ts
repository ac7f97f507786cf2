import { z } from 'zod';

/**
 * Response shapes of the Kairos REST API, as far as clients rely on them. Loose objects: fields the
 * server adds later pass through untouched, fields a client reads are checked. Request shapes are
 * the contract schemas of @kairos/contracts (SubmitTaskInput, SubmitWorkflowInput, …).
 */
const isoTime = z.string().min(1);
const nullableTime = isoTime.nullable();

export const TaskViewSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable(),
  queue: z.string(),
  priority: z.number(),
  status: z.string().min(1),
  attempts: z.number(),
  maxAttempts: z.number(),
  run: z.unknown(),
  exitCode: z.number().nullable(),
  outputTail: z.string().nullable(),
  error: z.string().nullable(),
  nodeId: z.string().nullable(),
  predictedP50Ms: z.number().nullable().optional(),
  createdAt: isoTime,
  startedAt: nullableTime,
  finishedAt: nullableTime,
  durationMs: z.number().nullable().optional(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const TaskAttemptSchema = z.looseObject({
  attempt: z.number(),
  nodeId: z.string().nullable().optional(),
  status: z.string(),
  startedAt: nullableTime.optional(),
  finishedAt: nullableTime.optional(),
  exitCode: z.number().nullable().optional(),
  durationMs: z.number().nullable().optional(),
  error: z.string().nullable().optional(),
});

export const TaskDetailSchema = TaskViewSchema.extend({
  attemptsDetail: z.array(TaskAttemptSchema).default([]),
  events: z.array(z.looseObject({ topic: z.string(), at: isoTime })).default([]),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const WorkflowTaskViewSchema = z.looseObject({
  key: z.string().min(1),
  /** Status in the run: pending until its dependencies succeed, then the task's own. */
  status: z.string().min(1),
  dependsOn: z.array(z.string()),
  taskId: z.string().nullable(),
  taskStatus: z.string().nullable(),
  attempts: z.number(),
  exitCode: z.number().nullable().optional(),
  error: z.string().nullable().optional(),
  startedAt: nullableTime,
  finishedAt: nullableTime,
});
export type WorkflowTaskView = z.infer<typeof WorkflowTaskViewSchema>;

export const WorkflowSummarySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  status: z.string().min(1),
  generation: z.number(),
  counts: z.record(z.string(), z.number()),
  createdAt: isoTime,
  updatedAt: isoTime.optional(),
  finishedAt: nullableTime,
});
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

export const WorkflowViewSchema = WorkflowSummarySchema.extend({
  tasks: z.array(WorkflowTaskViewSchema),
  edges: z.array(z.looseObject({ from: z.string(), to: z.string(), origin: z.string() })),
});
export type WorkflowView = z.infer<typeof WorkflowViewSchema>;

export const WorkflowRerunSchema = WorkflowViewSchema.extend({
  rerun: z.array(z.string()).default([]),
  kept: z.array(z.string()).default([]),
});
export type WorkflowRerun = z.infer<typeof WorkflowRerunSchema>;

export const PredictionSchema = z.looseObject({
  taskId: z.string().optional(),
  signature: z.string().optional(),
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  model: z.string().nullable(),
  modelVersion: z.union([z.string(), z.number()]).nullable(),
  basedOn: z.number().optional(),
});
export type Prediction = z.infer<typeof PredictionSchema>;

export const QueueRowSchema = z.looseObject({
  queue: z.string(),
  policy: z.string().nullable(),
  placement: z.string().nullable(),
  queued: z.number().optional(),
  running: z.number().optional(),
  maxConcurrent: z.number().nullable().optional(),
});
export type QueueRow = z.infer<typeof QueueRowSchema>;

export const QueueListSchema = z.looseObject({
  defaultPolicy: z.string().optional(),
  policies: z.array(z.string()).default([]),
  placements: z.array(z.string()).default([]),
  queues: z.array(QueueRowSchema),
});
export type QueueList = z.infer<typeof QueueListSchema>;

export const QueuePolicySchema = z.looseObject({ queue: z.string(), policy: z.string().nullable().optional(), placement: z.string().nullable().optional(), maxConcurrent: z.number().nullable().optional() });
export type QueuePolicy = z.infer<typeof QueuePolicySchema>;

/** A schedule as GET /api/schedules/:id answers (the definition plus executor state). */
export const ScheduleViewSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  paused: z.boolean(),
  trigger: z.looseObject({ kind: z.string(), expression: z.string().optional(), timezone: z.string().optional(), everyMs: z.number().optional() }),
  concurrency: z.string(),
  shards: z.number(),
  state: z.looseObject({ decidedThrough: isoTime, breaker: z.looseObject({ status: z.string() }) }).nullable(),
  nextTickAt: isoTime.nullable(),
  deletedAt: isoTime.nullable(),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;
export const ScheduleListSchema = z.array(ScheduleViewSchema);

export const ScheduleTickSchema = z.looseObject({
  tickAt: isoTime,
  shard: z.number(),
  outcome: z.enum(['fired', 'skipped']),
  skipReason: z.string().nullable(),
  taskId: z.string().nullable(),
  taskStatus: z.string().nullable(),
  delayMs: z.number().nullable(),
  catchUp: z.boolean(),
  trial: z.boolean(),
});
export type ScheduleTick = z.infer<typeof ScheduleTickSchema>;
export const ScheduleTickListSchema = z.array(ScheduleTickSchema);

export const ScheduleTriggeredSchema = z.looseObject({ tickAt: isoTime, tasks: z.array(z.looseObject({ id: z.string() })) });
export type ScheduleTriggered = z.infer<typeof ScheduleTriggeredSchema>;

export const StatsSchema = z.looseObject({
  tasks: z.record(z.string(), z.number()),
  nodes: z.array(z.looseObject({ id: z.string(), status: z.string() })),
  throughput: z.array(z.looseObject({ minute: isoTime, status: z.string(), count: z.number() })).default([]),
});
export type Stats = z.infer<typeof StatsSchema>;

export const RepairAcceptedSchema = z.looseObject({ actionId: z.string(), status: z.string() });
export type RepairAccepted = z.infer<typeof RepairAcceptedSchema>;

export const API_KEY_SCOPES = ['read', 'submit', 'operate', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const ApiKeyViewSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  scopes: z.array(z.string()).default([]),
  /** The key's tenant (servers before tenants send none). */
  tenant: z.string().optional(),
  createdAt: isoTime.optional(),
  lastUsedAt: nullableTime.optional(),
  revokedAt: nullableTime.optional(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** A created key: the only answer that carries the secret (`key`); the server keeps a digest. */
export const CreatedApiKeySchema = ApiKeyViewSchema.extend({ key: z.string().min(1) });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ModelVersionSchema = z.looseObject({
  name: z.string(),
  version: z.number(),
  stage: z.string(),
  metrics: z.record(z.string(), z.number()).default({}),
  createdAt: isoTime.optional(),
  createdBy: z.string().optional(),
  notes: z.string().optional(),
  stageChangedAt: isoTime.optional(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export const ModelSummarySchema = z.looseObject({
  name: z.string(),
  versions: z.number(),
  production: ModelVersionSchema.nullable(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ModelVersionsSchema = z.looseObject({
  name: z.string(),
  versions: z.array(ModelVersionSchema),
  history: z.array(z.looseObject({ version: z.number(), to: z.string() })).default([]),
});
export type ModelVersions = z.infer<typeof ModelVersionsSchema>;

/** The one error shape every Kairos service answers with. */
export const ApiErrorBodySchema = z.looseObject({
  error: z.string().min(1),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Anything JSON, for endpoints whose answer clients only print. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.json();

import { z } from 'zod';
import { StoredRunSpecSchema, ResourceRequestSchema, TASK_STATUSES } from './task.schema';
import { DEFAULT_TENANT, TenantSchema } from './tenant.schema';

// One zod schema per event; the topic name carries the major version. A breaking change means a new
// topic (`.v2`), never an edit here.

export const TaskQueuedSchema = z.object({
  taskId: z.string().uuid(),
  name: z.string().nullable(),
  queue: z.string(),
  priority: z.number().int(),
  /** Secret values sealed once the gateway seals them (see secret-sealing.ts). */
  run: StoredRunSpecSchema,
  resources: ResourceRequestSchema,
  timeoutMs: z.number().int(),
  maxAttempts: z.number().int(),
  submittedAt: z.string().datetime(),
  /** The tenant the task belongs to (its submitting key's); optional so events written before tenants stay valid. */
  tenant: TenantSchema.optional().default(DEFAULT_TENANT),
});
export type TaskQueued = z.infer<typeof TaskQueuedSchema>;

export const TaskStartedSchema = z.object({
  taskId: z.string().uuid(),
  attempt: z.number().int().min(1),
  nodeId: z.string(),
  startedAt: z.string().datetime(),
});
export type TaskStarted = z.infer<typeof TaskStartedSchema>;

/**
 * An attempt that ended without an outcome: its executor stopped renewing the lease (died, lost the
 * database), restarted while running it, or a restart_runner repair stopped it. One per lost attempt,
 * so a task's events read `queued, started, attempt.lost, started, completed` rather than two starts
 * with nothing between. `next`: what the task became (queued again, or failed after too many losses,
 * in which case a task.completed.v1 follows).
 */
export const TaskAttemptLostSchema = z.object({
  taskId: z.string().uuid(),
  attempt: z.number().int().min(1),
  nodeId: z.string().nullable(),
  /** The lease owner the attempt was lost with. */
  executorId: z.string().nullable(),
  reason: z.string(),
  lostAt: z.string().datetime(),
  next: z.enum(['queued', 'failed']),
});
export type TaskAttemptLost = z.infer<typeof TaskAttemptLostSchema>;

/**
 * What one attempt used, read by the executor when it ended. `cgroup`: the attempt's control group,
 * i.e. the whole process tree, children that left the process group included; `process-group`: the
 * live members of its process group as /proc saw them at the last sample (a lower bound).
 */
export const AttemptUsageSchema = z.object({
  source: z.enum(['cgroup', 'process-group']),
  cpuSeconds: z.number().min(0),
  peakMemMb: z.number().min(0),
  /** Time the CPU quota held the attempt back (cgroup only; null when not measured). */
  throttledSeconds: z.number().min(0).nullable(),
});
export type AttemptUsage = z.infer<typeof AttemptUsageSchema>;

export const TaskCompletedSchema = z.object({
  taskId: z.string().uuid(),
  attempt: z.number().int().min(1),
  nodeId: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().min(0),
  outputTail: z.string(),
  error: z.string().nullable(),
  finishedAt: z.string().datetime(),
  /** Features for learning: what was asked for. */
  queue: z.string(),
  name: z.string().nullable(),
  kind: z.string(),
  /** The workflow run the task belongs to (null: none); absent when the producer did not know. */
  workflowRunId: z.string().uuid().nullable().optional(),
  /** Resources the attempt used (absent: not measured, or a producer older than this field). */
  usage: AttemptUsageSchema.optional(),
});
export type TaskCompleted = z.infer<typeof TaskCompletedSchema>;

export const MetricSampledSchema = z.object({
  source: z.enum(['task', 'node']),
  nodeId: z.string(),
  taskId: z.string().uuid().nullable(),
  sampledAt: z.string().datetime(),
  /** source task: cpu in percent of one core; source node: percent of the node's declared CPU capacity. Memory in MB. */
  cpuPercent: z.number().min(0),
  memMb: z.number().min(0),
  /** source node only, optional: the host's network utilisation in percent of interface capacity (node agent, busiest interface and direction). */
  netPercent: z.number().min(0).optional(),
});
export type MetricSampled = z.infer<typeof MetricSampledSchema>;

export const DurationEstimatedSchema = z.object({
  taskId: z.string().uuid(),
  p50Ms: z.number().min(0),
  p90Ms: z.number().min(0),
  model: z.string(),
  modelVersion: z.string(),
  basedOn: z.number().int().min(0),
  estimatedAt: z.string().datetime(),
});
export type DurationEstimated = z.infer<typeof DurationEstimatedSchema>;

/** The analyzer found the production model's inputs or error drifting; `retrain` asks for a new version. */
export const ModelDriftDetectedSchema = z.object({
  reportId: z.string().uuid(),
  name: z.string().min(1),
  version: z.number().int().min(1),
  decision: z.enum(['alert', 'retrain']),
  driftedFeatures: z.array(z.string()),
  reasons: z.array(z.string()),
  autoRetrain: z.boolean(),
  assessedAt: z.string().datetime(),
});
export type ModelDriftDetected = z.infer<typeof ModelDriftDetectedSchema>;

export const NodeHeartbeatSchema = z.object({
  nodeId: z.string(),
  executorId: z.string(),
  cpuMillis: z.number().int().min(0),
  memMb: z.number().int().min(0),
  running: z.number().int().min(0),
  at: z.string().datetime(),
});
export type NodeHeartbeat = z.infer<typeof NodeHeartbeatSchema>;

export const DeadLetterSchema = z.object({
  topic: z.string(),
  reason: z.string(),
  /** The original message bytes, base64. */
  original: z.string(),
  consumer: z.string(),
  failedAt: z.string().datetime(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

import { z } from 'zod';

/**
 * Requests one service makes of the owner of a table (docs/architecture.md, "One owner per table"):
 * the gateway asks, the executor applies. Each is idempotent, so a redelivery changes nothing.
 */
export const TaskCancelRequestedSchema = z.object({
  taskId: z.string().uuid(),
  requestedAt: z.string().datetime(),
});
export type TaskCancelRequested = z.infer<typeof TaskCancelRequestedSchema>;

export const WorkflowCancelRequestedSchema = z.object({
  workflowRunId: z.string().uuid(),
  /** The generation the requester saw running; a later generation (a rerun since) is left alone. */
  generation: z.number().int().min(1),
  requestedAt: z.string().datetime(),
});
export type WorkflowCancelRequested = z.infer<typeof WorkflowCancelRequestedSchema>;

export const QueuePolicyRequestedSchema = z.object({
  queue: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -').max(100),
  /** An ordering policy name of libs/scheduling-core (the gateway checks it; the executor again); absent = keep the queue's. */
  policy: z.string().min(1).max(100).optional(),
  placement: z.string().min(1).max(100).optional(),
  /** At most this many tasks of the queue running at once, cluster-wide; null lifts the limit; absent = keep it. */
  maxConcurrent: z.number().int().min(0).max(100_000).nullable().optional(),
  requestedAt: z.string().datetime(),
});
export type QueuePolicyRequested = z.infer<typeof QueuePolicyRequestedSchema>;

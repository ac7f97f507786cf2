import { z } from 'zod';
import { INPUT_LIMITS } from './security/input-limits';
import { safeString } from './security/safe-string';
import { QueueNameSchema } from './task.schema';

const R = INPUT_LIMITS.repair;
const nodeId = safeString({ maxBytes: R.nodeIdBytes, minLength: 1 });

/**
 * Repair actions the analyzer (or an operator) asks the executor to apply. A closed union: an
 * unknown action fails validation and is rejected (400 over HTTP, dead-lettered on the bus), never
 * silently ignored.
 */
export const RepairActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('throttle_queue'), queue: QueueNameSchema, maxConcurrent: z.number().int().min(0).max(100_000).nullable() }).strict(),
  z.object({ kind: z.literal('cordon_node'), nodeId }).strict(),
  z.object({ kind: z.literal('uncordon_node'), nodeId }).strict(),
  /** Cordon and let running attempts finish; no new work lands on the node. */
  z.object({ kind: z.literal('drain_node'), nodeId }).strict(),
  /**
   * Restart the node's runner: its executor stops every attempt running there (SIGTERM to the process
   * group, SIGKILL after the grace period) and requeues them without charging their retry budget; the
   * node keeps taking work. For a wedged runner or a node whose processes stopped making progress.
   */
  z.object({ kind: z.literal('restart_runner'), nodeId }).strict(),
  /** Recorded and published for an external autoscaler; Kairos does not start machines itself. */
  z.object({ kind: z.literal('scale_request'), service: z.enum(['executor', 'analyzer']), delta: z.number().int().min(-100).max(100) }).strict(),
]);
export type RepairAction = z.infer<typeof RepairActionSchema>;

export const RepairRequestedSchema = z.object({
  actionId: z.string().uuid(),
  action: RepairActionSchema,
  reason: safeString({ maxBytes: R.reasonBytes, minLength: 1 }),
  confidence: z.number().min(0).max(1),
  dryRun: z.boolean(),
  requestedBy: safeString({ maxBytes: R.requestedByBytes, minLength: 1 }),
});
export type RepairRequested = z.infer<typeof RepairRequestedSchema>;

export const SubmitRepairSchema = RepairRequestedSchema.omit({ actionId: true, requestedBy: true })
  .extend({ dryRun: z.boolean().default(false), confidence: z.number().min(0).max(1).default(1) })
  .strict();
export type SubmitRepair = z.infer<typeof SubmitRepairSchema>;

import { z } from 'zod';
import { ResourceRequestSchema, RunSpecSchema } from '@kairos/contracts';

export const TrainBodySchema = z
  .object({
    /** Newest tasks to learn from. */
    maxRows: z.number().int().min(30).max(1_000_000).optional(),
    validationFraction: z.number().min(0.05).max(0.5).optional(),
    trees: z.number().int().min(10).max(2_000).optional(),
    /** Promote the new version to production right away. */
    deploy: z.boolean().optional(),
  })
  .strict();

export const VersionParamSchema = z.coerce.number().int().min(1);

/**
 * POST …/deploy body: empty for a gated deploy; `force.reason` deploys a candidate the gate refuses
 * (the reason and the gate's verdict are kept in the stage history).
 */
export const DeployBodySchema = z
  .object({ force: z.object({ reason: z.string().trim().min(3, 'force.reason: say why the gate is overridden (at least 3 characters)').max(500) }).strict().optional() })
  .strict();

export const PredictBodySchema = z
  .object({
    queue: z.string().min(1).default('default'),
    name: z.string().min(1).nullable().default(null),
    run: RunSpecSchema,
    resources: ResourceRequestSchema.default({ cpuMillis: 100, memMb: 64, gpu: 0 }),
  })
  .strict();

export const PatternsQuerySchema = z.object({ limit: z.coerce.number().int().min(10).max(100_000).default(5_000) }).strict();

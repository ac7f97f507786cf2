import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import { parseOrThrow } from '../tasks/parse-body';
import { QueuePolicyService } from './queue-policy.service';
import { RequireScope } from '@kairos/runtime';

export const QueuePolicySchema = z
  .object({
    policy: z.enum(POLICY_NAMES).optional(),
    placement: z.enum(PLACEMENT_NAMES).optional(),
    /** At most this many tasks of the queue running at once, cluster-wide (0 pauses it); null lifts the limit. */
    maxConcurrent: z.number().int().min(0).max(100_000).nullable().optional(),
  })
  .strict()
  .refine((p) => p.policy !== undefined || p.placement !== undefined || p.maxConcurrent !== undefined, { message: 'give at least one of policy, placement, maxConcurrent' });
export const QueueNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -').max(100);

/** Ordering policy and placement per queue, switchable while the platform runs (executors re-read within a second). */
@ApiTags('queues')
@RequireScope('read')
@Controller('api/queues')
export class QueuesController {
  constructor(private readonly queues: QueuePolicyService) {}

  @Get()
  @ApiOperation({ summary: 'Queues with their active policy and placement, and the available ones' })
  list() {
    return this.queues.list();
  }

  @Put(':queue/policy')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Change a queue: ordering policy, placement strategy and/or max concurrently running tasks; omitted fields keep their value (202: the executors apply it within about a second)' })
  @ApiBody({ schema: z.toJSONSchema(QueuePolicySchema, { io: 'input' }) as object })
  set(@Param('queue') queue: string, @Body() body: unknown) {
    return this.queues.set(parseOrThrow(QueueNameSchema, queue, 'queue name'), parseOrThrow(QueuePolicySchema, body, 'queue policy'));
  }
}

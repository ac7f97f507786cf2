import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import { parseOrThrow } from '../tasks/parse-body';
import { QueuePolicyService } from './queue-policy.service';
import { RequireScope } from '@kairos/runtime';

const QueuePolicySchema = z.object({ policy: z.enum(POLICY_NAMES), placement: z.enum(PLACEMENT_NAMES).default('least-loaded') }).strict();
const QueueNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -').max(100);

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
  @ApiOperation({ summary: 'Switch a queue to another ordering policy / placement strategy (202: the executors apply it within about a second)' })
  @ApiBody({ schema: z.toJSONSchema(QueuePolicySchema, { io: 'input' }) as object })
  set(@Param('queue') queue: string, @Body() body: unknown) {
    return this.queues.set(parseOrThrow(QueueNameSchema, queue, 'queue name'), parseOrThrow(QueuePolicySchema, body, 'queue policy'));
  }
}

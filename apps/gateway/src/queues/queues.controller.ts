import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { parseOrThrow } from '../tasks/parse-body';

const QueuePolicySchema = z.object({ policy: z.enum(POLICY_NAMES), placement: z.enum(PLACEMENT_NAMES).default('least-loaded') }).strict();
const QueueNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -').max(100);

/** Ordering policy and placement per queue, switchable while the platform runs (executors re-read within a second). */
@ApiTags('queues')
@Controller('api/queues')
export class QueuesController {
  constructor(@Inject(RUNTIME) private readonly rt: Runtime) {}

  @Get()
  @ApiOperation({ summary: 'Queues with their active policy and placement, and the available ones' })
  async list() {
    const rows = await this.rt.db.query(
      `SELECT q.queue, p.policy, p.placement, p.updated_at AS "updatedAt",
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'queued') AS queued,
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'running') AS running
       FROM (SELECT queue FROM queue_policies UNION SELECT DISTINCT queue FROM tasks) q
       LEFT JOIN queue_policies p ON p.queue = q.queue ORDER BY q.queue`,
    );
    return { defaultPolicy: this.rt.config.SCHEDULER_POLICY, policies: POLICY_NAMES, placements: PLACEMENT_NAMES, queues: rows };
  }

  @Put(':queue/policy')
  @ApiOperation({ summary: 'Switch a queue to another ordering policy / placement strategy' })
  @ApiBody({ schema: z.toJSONSchema(QueuePolicySchema, { io: 'input' }) as object })
  async set(@Param('queue') queue: string, @Body() body: unknown) {
    const name = parseOrThrow(QueueNameSchema, queue, 'queue name');
    const p = parseOrThrow(QueuePolicySchema, body, 'queue policy');
    const rows = await this.rt.db.query(
      `INSERT INTO queue_policies (queue, policy, placement) VALUES ($1, $2, $3)
       ON CONFLICT (queue) DO UPDATE SET policy = $2, placement = $3, updated_at = now()
       RETURNING queue, policy, placement, updated_at AS "updatedAt"`,
      [name, p.policy, p.placement],
    );
    this.rt.logger.info({ queue: name, ...p }, 'queue policy changed');
    return rows[0];
  }
}

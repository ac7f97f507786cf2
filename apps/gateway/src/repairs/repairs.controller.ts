import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { makeEnvelope, SubmitRepairSchema } from '@kairos/contracts';
import { appendToOutbox } from '@kairos/persistence';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { GatewayLifecycle } from '../gateway.lifecycle';
import { parseOrThrow } from '../tasks/parse-body';

/** Operators request repairs here (the analyzer does it by event); every outcome lands in the audit. */
@ApiTags('repairs')
@Controller('api/repairs')
export class RepairsController {
  constructor(
    @Inject(RUNTIME) private readonly rt: Runtime,
    @Inject(GatewayLifecycle) private readonly gw: GatewayLifecycle,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a repair action (throttle_queue, cordon_node, uncordon_node, drain_node, scale_request); unknown actions get 400' })
  @ApiBody({ schema: z.toJSONSchema(SubmitRepairSchema, { io: 'input' }) as object })
  async request(@Body() body: unknown) {
    const r = parseOrThrow(SubmitRepairSchema, body, 'repair request');
    const actionId = randomUUID();
    await this.rt.db.transaction((tx) =>
      appendToOutbox(tx, 'gateway', [makeEnvelope('repair.requested.v1', actionId, { actionId, action: r.action, reason: r.reason, confidence: r.confidence, dryRun: r.dryRun, requestedBy: 'api' })]),
    );
    this.gw.relay.kick();
    return { actionId, status: 'requested' };
  }

  @Get()
  @ApiOperation({ summary: 'Audit of repair actions: what was decided, why, and what happened' })
  audit() {
    return this.rt.db.query(
      `SELECT action_id AS "actionId", kind, action, reason, confidence, dry_run AS "dryRun", requested_by AS "requestedBy",
              status, detail, applied_by AS "appliedBy", applied_at AS "appliedAt" FROM repair_actions ORDER BY applied_at DESC LIMIT 200`,
    );
  }
}

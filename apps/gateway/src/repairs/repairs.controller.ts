import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { SubmitRepairSchema } from '@kairos/contracts';
import { parseOrThrow } from '../tasks/parse-body';
import { RepairRequestService } from './repair-request.service';
import { requestActor, RequireScope } from '@kairos/runtime';

/** Operators request repairs here (the analyzer does it by event); every outcome lands in the audit. */
@ApiTags('repairs')
@RequireScope('read')
@Controller('api/repairs')
export class RepairsController {
  constructor(private readonly repairs: RepairRequestService) {}

  @Post()
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a repair action (throttle_queue, cordon_node, uncordon_node, drain_node, scale_request); unknown actions get 400' })
  @ApiBody({ schema: z.toJSONSchema(SubmitRepairSchema, { io: 'input' }) as object })
  request(@Body() body: unknown, @Req() req: Request) {
    return this.repairs.request(parseOrThrow(SubmitRepairSchema, body, 'repair request'), requestActor(req));
  }

  @Get()
  @ApiOperation({ summary: 'Audit of repair actions: what was decided, why, and what happened' })
  audit() {
    return this.repairs.audit();
  }
}

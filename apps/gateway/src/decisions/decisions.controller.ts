import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { queryParams, textParam } from '@kairos/contracts';
import { PAGE_QUERY, parseParam, RequireScope, tenantAccessOf } from '@kairos/runtime';
import { TaskIdSchema } from '../tasks/tasks.controller';
import { DecisionsService } from './decisions.service';

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const DecisionListQuerySchema = queryParams({ ...PAGE_QUERY, nodeId: textParam(200).optional(), from: instant.optional(), to: instant.optional() }).refine(
  (q) => !q.from || !q.to || q.from.getTime() < q.to.getTime(),
  { path: ['from'], message: 'must be before to' },
);

/** Why each task went where it did: the executor's placement decision records (scheduling_decisions). */
@ApiTags('decisions')
@RequireScope('read')
@Controller('api')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Get('tasks/:id/decisions')
  @ApiOperation({ summary: "A task's scheduling decisions, oldest first: { items } (DecisionRecord: policy+version, inputs, chosen node's score components, runner-up and why it lost, confidence)" })
  forTask(@Param('id') id: string, @Req() req: Request) {
    return this.decisions.forTask(parseParam(TaskIdSchema, id, 'task id'), tenantAccessOf(req));
  }

  @Get('decisions')
  @ApiOperation({ summary: 'Scheduling decisions, newest first, by node and time range: { items, nextCursor } (nodeId, from inclusive, to exclusive, limit 1..1000, default 100)' })
  list(@Query() query: unknown) {
    return this.decisions.list(parseParam(DecisionListQuerySchema, query, 'query'));
  }
}

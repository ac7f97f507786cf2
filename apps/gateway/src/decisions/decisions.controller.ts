import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DECISION_KINDS, queryParams, textParam } from '@kairos/contracts';
import { PAGE_QUERY, parseParam, RequireScope, tenantAccessOf } from '@kairos/runtime';
import { TaskIdSchema } from '../tasks/tasks.controller';
import { DecisionsService } from './decisions.service';

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** `kind=retry,failover`: one or more decision kinds, comma-separated. */
const kindsParam = textParam(200)
  .transform((s) => [...new Set(s.split(',').map((k) => k.trim()))])
  .pipe(z.array(z.enum(DECISION_KINDS, { message: `each kind must be one of ${DECISION_KINDS.join(', ')}` })).min(1));

export const TaskDecisionsQuerySchema = queryParams({ kind: kindsParam.optional() });

export const DecisionListQuerySchema = queryParams({ ...PAGE_QUERY, nodeId: textParam(200).optional(), kind: kindsParam.optional(), from: instant.optional(), to: instant.optional() }).refine(
  (q) => !q.from || !q.to || q.from.getTime() < q.to.getTime(),
  { path: ['from'], message: 'must be before to' },
);

/** Why each task went where it did, and what happened when it failed: the executor's decision records (scheduling_decisions). */
@ApiTags('decisions')
@RequireScope('read')
@Controller('api')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Get('tasks/:id/decisions')
  @ApiOperation({
    summary:
      "A task's decisions, oldest first: { items } (DecisionRecord: kind ordering / placement / allocation / retry / failover, policy+version, inputs, chosen candidate's score components, runner-up and why it lost, confidence); kind=retry,failover filters; another tenant's task has none",
  })
  forTask(@Param('id') id: string, @Query() query: unknown, @Req() req: Request) {
    const { kind } = parseParam(TaskDecisionsQuerySchema, query, 'query');
    return this.decisions.forTask(parseParam(TaskIdSchema, id, 'task id'), tenantAccessOf(req), kind);
  }

  @Get('decisions')
  @ApiOperation({
    summary:
      "Decisions (ordering, placement, allocation, retry, failover, diagnosis, repair), newest first, by kind, node and time range: { items, nextCursor } (kind comma-separated, nodeId, from inclusive, to exclusive, limit 1..1000, default 100); a non-admin key sees only decisions about its tenant's tasks",
  })
  list(@Query() query: unknown, @Req() req: Request) {
    return this.decisions.list(parseParam(DecisionListQuerySchema, query, 'query'), tenantAccessOf(req));
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { enumParam, queryParams, RerunWorkflowSchema, SubmitWorkflowSchema, TenantSchema, uuidParam, WORKFLOW_STATUSES } from '@kairos/contracts';
import { PAGE_QUERY, parseParam, tenantAccessOf } from '@kairos/runtime';
import { GatewayError } from '../errors/gateway.errors';
import { parseOrThrow } from '../tasks/parse-body';
import { validateWorkflow } from './workflow-validation';
import { WorkflowService } from './workflow.service';
import { RequireScope } from '@kairos/runtime';

export const WorkflowListQuerySchema = queryParams({
  status: enumParam(WORKFLOW_STATUSES).optional(),
  /** Admin keys only: one tenant's runs. */
  tenant: TenantSchema.optional(),
  ...PAGE_QUERY,
});
export const WorkflowIdSchema = uuidParam('workflow id');

@ApiTags('workflows')
@RequireScope('read')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowService) {}

  @Post()
  @RequireScope('submit')
  @ApiOperation({ summary: 'Submit a DAG workflow: tasks with keys, dependsOn and declared inputs/outputs (a file edge runs producer before consumer).' })
  @ApiBody({ schema: z.toJSONSchema(SubmitWorkflowSchema, { io: 'input' }) as object })
  async submit(@Body() body: unknown, @Req() req: Request) {
    const v = validateWorkflow(body);
    if (!v.ok) throw new GatewayError('VALIDATION_FAILED', `invalid workflow: ${v.issues.join('; ')}`, { issues: v.issues });
    return this.workflows.submit(v.spec, v.dag, randomUUID(), tenantAccessOf(req).tenant);
  }

  @Get()
  @ApiOperation({ summary: 'Workflow run summaries, newest first: { items, nextCursor }; pass nextCursor as cursor for the next page (limit 1..1000, default 100)' })
  list(@Query() query: unknown, @Req() req: Request) {
    return this.workflows.list(parseParam(WorkflowListQuerySchema, query, 'query'), tenantAccessOf(req));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A workflow run: status, per-task key/status/taskId/attempts, edges' })
  get(@Param('id') id: string, @Req() req: Request) {
    return this.workflows.get(parseParam(WorkflowIdSchema, id, 'workflow id'), tenantAccessOf(req));
  }

  @Post(':id/rerun')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rerun failed tasks and their downstream (plus any named in "force"); succeeded results are kept' })
  rerun(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    const { force } = parseOrThrow(RerunWorkflowSchema, body ?? {}, 'rerun request');
    return this.workflows.rerun(parseParam(WorkflowIdSchema, id, 'workflow id'), force, randomUUID(), tenantAccessOf(req));
  }

  @Post(':id/cancel')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running workflow: no further tasks start; its queued and running tasks are cancelled' })
  cancel(@Param('id') id: string, @Req() req: Request) {
    return this.workflows.cancel(parseParam(WorkflowIdSchema, id, 'workflow id'), tenantAccessOf(req));
  }
}

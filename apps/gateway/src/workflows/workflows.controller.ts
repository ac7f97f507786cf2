import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RerunWorkflowSchema, SubmitWorkflowSchema, WORKFLOW_STATUSES } from '@kairos/contracts';
import { GatewayError } from '../errors/gateway.errors';
import { parseOrThrow } from '../tasks/parse-body';
import { validateWorkflow } from './workflow-validation';
import { WorkflowService } from './workflow.service';
import { RequireScope } from '@kairos/runtime';

export const WorkflowListQuerySchema = z
  .object({
    status: z.enum(WORKFLOW_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export const WorkflowIdSchema = z.string().uuid('id must be a UUID');

@ApiTags('workflows')
@RequireScope('read')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowService) {}

  @Post()
  @RequireScope('submit')
  @ApiOperation({ summary: 'Submit a DAG workflow: tasks with keys, dependsOn and declared inputs/outputs (a file edge runs producer before consumer).' })
  @ApiBody({ schema: z.toJSONSchema(SubmitWorkflowSchema, { io: 'input' }) as object })
  async submit(@Body() body: unknown) {
    const v = validateWorkflow(body);
    if (!v.ok) throw new GatewayError('VALIDATION_FAILED', `invalid workflow: ${v.issues.join('; ')}`, { issues: v.issues });
    return this.workflows.submit(v.spec, v.dag, randomUUID());
  }

  @Get()
  @ApiOperation({ summary: 'List workflow runs, newest first' })
  list(@Query() query: unknown) {
    return this.workflows.list(parseOrThrow(WorkflowListQuerySchema, query, 'query'));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A workflow run: status, per-task key/status/taskId/attempts, edges' })
  get(@Param('id') id: string) {
    return this.workflows.get(parseOrThrow(WorkflowIdSchema, id, 'workflow id'));
  }

  @Post(':id/rerun')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rerun failed tasks and their downstream (plus any named in "force"); succeeded results are kept' })
  rerun(@Param('id') id: string, @Body() body: unknown) {
    const { force } = parseOrThrow(RerunWorkflowSchema, body ?? {}, 'rerun request');
    return this.workflows.rerun(parseOrThrow(WorkflowIdSchema, id, 'workflow id'), force, randomUUID());
  }

  @Post(':id/cancel')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a running workflow: no further tasks start; its queued and running tasks are cancelled' })
  cancel(@Param('id') id: string) {
    return this.workflows.cancel(parseOrThrow(WorkflowIdSchema, id, 'workflow id'));
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { enumParam, QueueNameSchema, queryParams, SubmitTaskSchema, TASK_STATUSES, TenantSchema, uuidParam } from '@kairos/contracts';
import { PAGE_QUERY, parseParam, tenantAccessOf } from '@kairos/runtime';
import { parseOrThrow } from './parse-body';
import { TaskSubmissionService } from './task-submission.service';
import { RequireScope } from '@kairos/runtime';

export const TaskListQuerySchema = queryParams({
  status: enumParam(TASK_STATUSES).optional(),
  queue: QueueNameSchema.optional(),
  /** Admin keys only: one tenant's tasks (other keys always see their own tenant's). */
  tenant: TenantSchema.optional(),
  ...PAGE_QUERY,
});
export const TaskIdSchema = uuidParam('task id');

@ApiTags('tasks')
@RequireScope('read')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TaskSubmissionService) {}

  @Post()
  @RequireScope('submit')
  @ApiOperation({ summary: 'Submit a task (shell command, HTTP call or no-op) of the key\'s tenant. 201 when created, 200 when an idempotency key matched an earlier submission, 429 TENANT_QUOTA_EXCEEDED over the tenant\'s quota.' })
  @ApiBody({ schema: z.toJSONSchema(SubmitTaskSchema, { io: 'input' }) as object })
  async submit(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const spec = parseOrThrow(SubmitTaskSchema, body, 'task');
    const { task, created } = await this.tasks.submit(spec, randomUUID(), tenantAccessOf(req).tenant);
    res.status(created ? 201 : 200);
    return task;
  }

  @Get()
  @ApiOperation({ summary: 'Task summaries of the key\'s tenant (admin: every tenant, or ?tenant=), newest first: { items, nextCursor }; pass nextCursor as cursor for the next page (limit 1..1000, default 100)' })
  list(@Query() query: unknown, @Req() req: Request) {
    return this.tasks.list(parseParam(TaskListQuerySchema, query, 'query'), tenantAccessOf(req));
  }

  @Get(':id')
  @ApiOperation({ summary: "A task with its attempts and lifecycle events (404 when it is another tenant's); a task retention archived answers from the archive, marked archived: true" })
  get(@Param('id') id: string, @Req() req: Request) {
    return this.tasks.get(parseParam(TaskIdSchema, id, 'task id'), tenantAccessOf(req));
  }

  @Post(':id/cancel')
  @RequireScope('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a queued or running task (running processes get SIGTERM, then SIGKILL)' })
  cancel(@Param('id') id: string, @Req() req: Request) {
    return this.tasks.requestCancel(parseParam(TaskIdSchema, id, 'task id'), tenantAccessOf(req));
  }
}

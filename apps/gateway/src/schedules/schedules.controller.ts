import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CreateScheduleSchema, TenantSchema } from '@kairos/contracts';
import { RequireScope, tenantAccessOf } from '@kairos/runtime';
import { parseOrThrow } from '../tasks/parse-body';
import { SchedulesService } from './schedules.service';

export const ScheduleListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), tenant: TenantSchema.optional() }).strict();
export const ScheduleTicksQuerySchema = ScheduleListQuerySchema.omit({ tenant: true });
export const ScheduleIdSchema = z.string().uuid('id must be a UUID');

/** Recurring tasks (issue #14): create, list, inspect, pause, resume, trigger by hand, delete, tick history. */
@ApiTags('schedules')
@Controller('api/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @RequireScope('submit')
  @ApiOperation({ summary: 'Create a schedule (cron with seconds and time zone, or interval); 400 names each bad field' })
  @ApiBody({ schema: z.toJSONSchema(CreateScheduleSchema, { io: 'input', unrepresentable: 'any' }) as object })
  create(@Body() body: unknown, @Req() req: Request) {
    return this.schedules.create(parseOrThrow(CreateScheduleSchema, body, 'schedule'), new Date(), tenantAccessOf(req).tenant);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Schedules (not deleted), newest first, with breaker state and next tick' })
  list(@Query() query: unknown, @Req() req: Request) {
    const q = parseOrThrow(ScheduleListQuerySchema, query, 'query');
    return this.schedules.list(q.limit, tenantAccessOf(req), q.tenant);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'A schedule with its executor state (cursor, circuit breaker) and next tick' })
  get(@Param('id') id: string, @Req() req: Request) {
    return this.schedules.get(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), tenantAccessOf(req));
  }

  @Get(':id/ticks')
  @RequireScope('read')
  @ApiOperation({ summary: 'Tick history, newest first: fired (task, status, delay = start − scheduled) or skipped (reason)' })
  ticks(@Param('id') id: string, @Query() query: unknown, @Req() req: Request) {
    return this.schedules.ticks(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), parseOrThrow(ScheduleTicksQuerySchema, query, 'query').limit, tenantAccessOf(req));
  }

  @Post(':id/pause')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Pause: no tick fires or is recorded until resumed (executors apply it within about half a second)' })
  pause(@Param('id') id: string, @Req() req: Request) {
    return this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), true, tenantAccessOf(req));
  }

  @Post(':id/resume')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Resume from now (ticks that fell while paused are not misfires)' })
  resume(@Param('id') id: string, @Req() req: Request) {
    return this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), false, tenantAccessOf(req));
  }

  @Post(':id/trigger')
  @RequireScope('submit')
  @ApiOperation({ summary: 'Run one tick now (all shards), outside the trigger; returns the submitted tasks' })
  trigger(@Param('id') id: string, @Req() req: Request) {
    return this.schedules.trigger(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), randomUUID(), new Date(), tenantAccessOf(req));
  }

  @Delete(':id')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Delete: executors stop planning it; its history stays readable' })
  delete(@Param('id') id: string, @Req() req: Request) {
    return this.schedules.delete(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), tenantAccessOf(req));
  }
}

import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CreateScheduleSchema } from '@kairos/contracts';
import { RequireScope } from '@kairos/runtime';
import { parseOrThrow } from '../tasks/parse-body';
import { SchedulesService } from './schedules.service';

export const ScheduleListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
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
  create(@Body() body: unknown) {
    return this.schedules.create(parseOrThrow(CreateScheduleSchema, body, 'schedule'));
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Schedules (not deleted), newest first, with breaker state and next tick' })
  list(@Query() query: unknown) {
    return this.schedules.list(parseOrThrow(ScheduleListQuerySchema, query, 'query').limit);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'A schedule with its executor state (cursor, circuit breaker) and next tick' })
  get(@Param('id') id: string) {
    return this.schedules.get(parseOrThrow(ScheduleIdSchema, id, 'schedule id'));
  }

  @Get(':id/ticks')
  @RequireScope('read')
  @ApiOperation({ summary: 'Tick history, newest first: fired (task, status, delay = start − scheduled) or skipped (reason)' })
  ticks(@Param('id') id: string, @Query() query: unknown) {
    return this.schedules.ticks(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), parseOrThrow(ScheduleListQuerySchema, query, 'query').limit);
  }

  @Post(':id/pause')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Pause: no tick fires or is recorded until resumed (executors apply it within about half a second)' })
  pause(@Param('id') id: string) {
    return this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), true);
  }

  @Post(':id/resume')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Resume from now (ticks that fell while paused are not misfires)' })
  resume(@Param('id') id: string) {
    return this.schedules.setPaused(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), false);
  }

  @Post(':id/trigger')
  @RequireScope('submit')
  @ApiOperation({ summary: 'Run one tick now (all shards), outside the trigger; returns the submitted tasks' })
  trigger(@Param('id') id: string) {
    return this.schedules.trigger(parseOrThrow(ScheduleIdSchema, id, 'schedule id'), randomUUID());
  }

  @Delete(':id')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Delete: executors stop planning it; its history stays readable' })
  delete(@Param('id') id: string) {
    return this.schedules.delete(parseOrThrow(ScheduleIdSchema, id, 'schedule id'));
  }
}

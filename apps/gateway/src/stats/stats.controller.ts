import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { StatsService } from './stats.service';
import { RequireScope, tenantAccessOf } from '@kairos/runtime';

/** GET /api/stats: task counts by status, nodes, and tasks finished per minute over the last 30 minutes. */
@ApiTags('stats')
@RequireScope('read')
@Controller('api/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  get(@Req() req: Request) {
    return this.stats.stats(tenantAccessOf(req));
  }
}

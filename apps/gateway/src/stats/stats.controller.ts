import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { StatsService } from './stats.service';
import { RequireScope } from '@kairos/runtime';

/** GET /api/stats: task counts by status, nodes, and tasks finished per minute over the last 30 minutes. */
@ApiTags('stats')
@RequireScope('read')
@Controller('api/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  get() {
    return this.stats.stats();
  }
}

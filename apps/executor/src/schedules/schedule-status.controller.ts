import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@kairos/runtime';
import { ScheduleFiringService } from './schedule-firing.service';

@ApiTags('executor')
@RequireScope('read')
@Controller('api/executor/schedules')
export class ScheduleStatusController {
  constructor(private readonly firing: ScheduleFiringService) {}

  /** This replica's share of the schedules: partitions held, schedules planned, ticks fired and refused. */
  @Get('status')
  status() {
    return this.firing.stats();
  }
}

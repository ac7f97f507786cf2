import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { MetricService } from './metric.service';
import { RequireScope } from '@kairos/runtime';

@ApiTags('metrics')
@RequireScope('read')
@Controller('api/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricService) {}

  @Get('tasks/:id')
  task(@Param('id') id: string) {
    return this.metrics.taskSamples(id);
  }

  @Get('nodes/:id/rollups')
  node(@Param('id') id: string) {
    return this.metrics.nodeRollups(id, 60);
  }
}

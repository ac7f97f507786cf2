import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { textParam, uuidParam } from '@kairos/contracts';
import { parseParam } from '@kairos/runtime';
import { MetricService } from './metric.service';
import { RequireScope } from '@kairos/runtime';

const TaskId = uuidParam('task id');
const NodeId = textParam();

@ApiTags('metrics')
@RequireScope('read')
@Controller('api/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricService) {}

  @Get('tasks/:id')
  task(@Param('id') id: string) {
    return this.metrics.taskSamples(parseParam(TaskId, id, 'task id'));
  }

  @Get('nodes/:id/rollups')
  node(@Param('id') id: string) {
    return this.metrics.nodeRollups(parseParam(NodeId, id, 'node id'), 60);
  }
}

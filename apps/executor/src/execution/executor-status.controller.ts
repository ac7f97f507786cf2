import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ExecutorService } from './executor.service';
import { RequireScope } from '@kairos/runtime';

@ApiTags('executor')
@RequireScope('read')
@Controller('api/executor')
export class ExecutorStatusController {
  constructor(private readonly executor: ExecutorService) {}

  @Get('status')
  status() {
    const s = this.executor;
    return {
      defaultPolicy: s.defaultPolicy,
      decisionLatency: s.decisionLatency.summary(),
      running: s.runningCount(),
      ownedQueues: s.queueStates(),
      nodes: s.nodes.map(({ id, cpuMillis, memMb, usedCpu, usedMem, running, cordoned }) => ({ id, cpuMillis, memMb, usedCpu, usedMem, running, cordoned })),
    };
  }
}

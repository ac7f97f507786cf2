import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { WorkflowAdvancer } from './workflow-advancer';

const GROUP: ConsumerOptions = { group: 'executor-workflows' };

/** Every completion may make downstream workflow tasks runnable. */
@Controller()
export class WorkflowsConsumer {
  constructor(private readonly advancer: WorkflowAdvancer) {}

  @EventPattern('task.completed.v1', GROUP)
  async onCompleted(@Payload() e: Envelope<'task.completed.v1'>): Promise<void> {
    await this.advancer.onTaskCompleted(e.payload.taskId, e.payload.workflowRunId);
  }
}

import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { CommandService } from './command.service';

/** One group for the commands: replicas share them, each applied once (and idempotent anyway). */
const GROUP: ConsumerOptions = { group: 'executor-commands' };

@Controller()
export class CommandsConsumer {
  constructor(private readonly commands: CommandService) {}

  @EventPattern('task.cancel.requested.v1', GROUP)
  onTaskCancel(@Payload() e: Envelope<'task.cancel.requested.v1'>): Promise<void> {
    return this.commands.cancelTask(e.payload);
  }

  @EventPattern('workflow.cancel.requested.v1', GROUP)
  onWorkflowCancel(@Payload() e: Envelope<'workflow.cancel.requested.v1'>): Promise<void> {
    return this.commands.cancelWorkflow(e.payload);
  }

  @EventPattern('queue.policy.requested.v1', GROUP)
  onQueuePolicy(@Payload() e: Envelope<'queue.policy.requested.v1'>): Promise<void> {
    return this.commands.setQueuePolicy(e.payload);
  }
}

import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { ExecutorService } from './executor.service';

/** Consumer groups of the executor's scheduling loop (replicas share each group's partitions). */
export const EXECUTOR_GROUP: ConsumerOptions = { group: 'executor' };
export const PREDICTIONS_GROUP: ConsumerOptions = { group: 'executor-predictions' };

@Controller()
export class ExecutionConsumer {
  constructor(private readonly executor: ExecutorService) {}

  /** New work: schedule now instead of at the next 250 ms poll (PostgreSQL stays the source of truth). */
  @EventPattern('task.queued.v1', EXECUTOR_GROUP)
  async onQueued(@Payload() _e: Envelope<'task.queued.v1'>): Promise<void> {
    this.executor.kick();
  }

  /** The analyzer's estimate, kept on the queued task for the duration-aware policies. */
  @EventPattern('prediction.duration.estimated.v1', PREDICTIONS_GROUP)
  async onEstimated(@Payload() e: Envelope<'prediction.duration.estimated.v1'>): Promise<void> {
    await this.executor.recordPrediction(e.payload.taskId, e.payload.p50Ms, e.payload.p90Ms);
  }
}

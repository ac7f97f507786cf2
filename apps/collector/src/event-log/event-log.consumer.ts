import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Envelope } from '@kairos/contracts';
import { COLLECTOR_GROUP } from '../metrics/metric-samples.consumer';
import { EventLogService } from './event-log.service';

/** The consumer-side audit trail: task lifecycle events and heartbeats, as received (group `collector`). */
@Controller()
export class EventLogConsumer {
  constructor(private readonly log: EventLogService) {}

  @EventPattern('task.queued.v1', COLLECTOR_GROUP)
  onQueued(@Payload() e: Envelope<'task.queued.v1'>): Promise<void> {
    return this.log.record(e);
  }

  @EventPattern('task.started.v1', COLLECTOR_GROUP)
  onStarted(@Payload() e: Envelope<'task.started.v1'>): Promise<void> {
    return this.log.record(e);
  }

  @EventPattern('task.completed.v1', COLLECTOR_GROUP)
  onCompleted(@Payload() e: Envelope<'task.completed.v1'>): Promise<void> {
    return this.log.record(e);
  }

  @EventPattern('task.attempt.lost.v1', COLLECTOR_GROUP)
  onAttemptLost(@Payload() e: Envelope<'task.attempt.lost.v1'>): Promise<void> {
    return this.log.record(e);
  }

  /** Each task's events in order, on one partition (libs/contracts task-lifecycle.ts). */
  @EventPattern('task.lifecycle.v1', COLLECTOR_GROUP)
  onLifecycle(@Payload() e: Envelope<'task.lifecycle.v1'>): Promise<void> {
    return this.log.record(e);
  }

  @EventPattern('node.heartbeat.v1', COLLECTOR_GROUP)
  onHeartbeat(@Payload() e: Envelope<'node.heartbeat.v1'>): Promise<void> {
    return this.log.record(e);
  }
}

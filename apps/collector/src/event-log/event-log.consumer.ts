import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Envelope } from '@kairos/contracts';
import { COLLECTOR_GROUP } from '../metrics/metric-samples.consumer';
import { EVENT_LOG_REPOSITORY, type EventLogRepository } from './event-log.repository';

/** The consumer-side audit trail: task lifecycle events and heartbeats, as received (group `collector`). */
@Controller()
export class EventLogConsumer {
  constructor(@Inject(EVENT_LOG_REPOSITORY) private readonly log: EventLogRepository) {}

  @EventPattern('task.queued.v1', COLLECTOR_GROUP)
  onQueued(@Payload() e: Envelope<'task.queued.v1'>): Promise<void> {
    return this.log.append(e);
  }

  @EventPattern('task.started.v1', COLLECTOR_GROUP)
  onStarted(@Payload() e: Envelope<'task.started.v1'>): Promise<void> {
    return this.log.append(e);
  }

  @EventPattern('task.completed.v1', COLLECTOR_GROUP)
  onCompleted(@Payload() e: Envelope<'task.completed.v1'>): Promise<void> {
    return this.log.append(e);
  }

  @EventPattern('node.heartbeat.v1', COLLECTOR_GROUP)
  onHeartbeat(@Payload() e: Envelope<'node.heartbeat.v1'>): Promise<void> {
    return this.log.append(e);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, Topic } from '@kairos/contracts';
import { EVENT_LOG_REPOSITORY, type EventLogRepository } from './event-log.repository';

/** The consumer-side audit trail: every lifecycle event as received, once per event id. */
@Injectable()
export class EventLogService {
  constructor(@Inject(EVENT_LOG_REPOSITORY) private readonly log: EventLogRepository) {}

  record(e: Envelope<Topic>): Promise<void> {
    return this.log.append(e);
  }
}

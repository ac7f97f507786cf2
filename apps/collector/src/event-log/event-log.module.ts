import { Module } from '@nestjs/common';
import { EventLogConsumer } from './event-log.consumer';
import { EVENT_LOG_REPOSITORY, PgEventLogRepository } from './event-log.repository';
import { EventLogService } from './event-log.service';

@Module({
  controllers: [EventLogConsumer],
  providers: [EventLogService, { provide: EVENT_LOG_REPOSITORY, useClass: PgEventLogRepository }],
})
export class EventLogModule {}

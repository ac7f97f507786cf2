import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { ExecutionModule } from '../execution/execution.module';
import { ScheduleFiringService } from './schedule-firing.service';
import { PgScheduleRepository, SCHEDULE_REPOSITORY } from './schedule.repository';
import { ScheduleStatusController } from './schedule-status.controller';

/** Recurring tasks: planning leases, tick planning and firing, breaker state (issue #14). */
@Module({
  imports: [ExecutorCoreModule, ExecutionModule],
  controllers: [ScheduleStatusController],
  providers: [ScheduleFiringService, { provide: SCHEDULE_REPOSITORY, useClass: PgScheduleRepository }],
})
export class SchedulesModule {}

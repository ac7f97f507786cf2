import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { TasksModule } from '../tasks/tasks.module';
import { PgScheduleRepository, SCHEDULE_REPOSITORY } from './schedule.repository';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [GatewayCoreModule, TasksModule],
  controllers: [SchedulesController],
  providers: [SchedulesService, { provide: SCHEDULE_REPOSITORY, useClass: PgScheduleRepository }],
  exports: [SchedulesService],
})
export class SchedulesModule {}

import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { PgTaskRepository, TASK_REPOSITORY } from './task.repository';
import { TaskSubmissionService } from './task-submission.service';
import { TasksController } from './tasks.controller';

@Module({
  imports: [GatewayCoreModule],
  controllers: [TasksController],
  providers: [TaskSubmissionService, { provide: TASK_REPOSITORY, useClass: PgTaskRepository }],
  exports: [TaskSubmissionService],
})
export class TasksModule {}

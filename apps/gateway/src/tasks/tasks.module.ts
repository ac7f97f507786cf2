import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { TenantsModule } from '../tenants/tenants.module';
import { PgTaskRepository, TASK_REPOSITORY } from './task.repository';
import { TaskSubmissionService } from './task-submission.service';
import { TasksController } from './tasks.controller';

@Module({
  imports: [GatewayCoreModule, TenantsModule],
  controllers: [TasksController],
  providers: [TaskSubmissionService, { provide: TASK_REPOSITORY, useClass: PgTaskRepository }],
  exports: [TaskSubmissionService],
})
export class TasksModule {}

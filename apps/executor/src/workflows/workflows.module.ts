import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { ExecutionModule } from '../execution/execution.module';
import { WorkflowAdvancer } from './workflow-advancer';
import { PgWorkflowRunRepository, WORKFLOW_RUN_REPOSITORY } from './workflow-run.repository';
import { WorkflowReconciler } from './workflow-reconciler.service';
import { WorkflowsConsumer } from './workflows.consumer';

@Module({
  imports: [ExecutorCoreModule, ExecutionModule],
  controllers: [WorkflowsConsumer],
  providers: [WorkflowAdvancer, WorkflowReconciler, { provide: WORKFLOW_RUN_REPOSITORY, useClass: PgWorkflowRunRepository }],
  exports: [WORKFLOW_RUN_REPOSITORY],
})
export class WorkflowsModule {}

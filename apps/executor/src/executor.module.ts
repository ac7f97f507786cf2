import { Module } from '@nestjs/common';
import { ExecutionModule } from './execution/execution.module';
import { RepairsModule } from './repairs/repairs.module';
import { WorkflowsModule } from './workflows/workflows.module';

export { EXECUTOR_MIGRATIONS } from './database/migrations';

/** The executor: scheduling loop and runners, repairs, workflow advancement. */
@Module({ imports: [ExecutionModule, RepairsModule, WorkflowsModule] })
export class ExecutorModule {}

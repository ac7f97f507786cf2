import { Module } from '@nestjs/common';
import { CommandsModule } from './commands/commands.module';
import { ExecutionModule } from './execution/execution.module';
import { RepairsModule } from './repairs/repairs.module';
import { RetentionModule } from './retention/retention.module';
import { SchedulesModule } from './schedules/schedules.module';
import { WorkflowsModule } from './workflows/workflows.module';

export { EXECUTOR_MIGRATIONS } from './database/migrations';

/** The executor: scheduling loop and runners, repairs, workflow advancement, other services' commands, schedules, retention. */
@Module({ imports: [ExecutionModule, RepairsModule, WorkflowsModule, CommandsModule, SchedulesModule, RetentionModule] })
export class ExecutorModule {}

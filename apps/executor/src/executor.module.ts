import { Module } from '@nestjs/common';
import { CommandsModule } from './commands/commands.module';
import { ExecutionModule } from './execution/execution.module';
import { RepairsModule } from './repairs/repairs.module';
import { SchedulesModule } from './schedules/schedules.module';
import { WorkflowsModule } from './workflows/workflows.module';

export { EXECUTOR_MIGRATIONS } from './database/migrations';

/** The executor: scheduling loop and runners, repairs, workflow advancement, other services' commands, schedules. */
@Module({ imports: [ExecutionModule, RepairsModule, WorkflowsModule, CommandsModule, SchedulesModule] })
export class ExecutorModule {}

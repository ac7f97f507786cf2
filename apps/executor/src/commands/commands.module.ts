import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { ExecutionModule } from '../execution/execution.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { CommandService } from './command.service';
import { CommandsConsumer } from './commands.consumer';

/** Requests of other services against the executor's tables: task and workflow cancellation, queue policies. */
@Module({
  imports: [ExecutorCoreModule, TasksModule, ExecutionModule, WorkflowsModule],
  controllers: [CommandsConsumer],
  providers: [CommandService],
})
export class CommandsModule {}

import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { PgTaskRepository, TASK_REPOSITORY } from './task.repository';

@Module({ imports: [ExecutorCoreModule], providers: [{ provide: TASK_REPOSITORY, useClass: PgTaskRepository }], exports: [TASK_REPOSITORY] })
export class TasksModule {}

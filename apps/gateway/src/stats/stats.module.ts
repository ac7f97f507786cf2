import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { PgStatsRepository, STATS_REPOSITORY } from './stats.repository';
import { StatsController } from './stats.controller';

@Module({
  imports: [TasksModule],
  controllers: [StatsController],
  providers: [{ provide: STATS_REPOSITORY, useClass: PgStatsRepository }],
})
export class StatsModule {}

import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { PgStatsRepository, STATS_REPOSITORY } from './stats.repository';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({
  imports: [TasksModule],
  controllers: [StatsController],
  providers: [StatsService, { provide: STATS_REPOSITORY, useClass: PgStatsRepository }],
  exports: [StatsService],
})
export class StatsModule {}

import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import { STATS_REPOSITORY, type StatsRepository } from './stats.repository';

/** GET /api/stats: task counts by status, nodes, and tasks finished per minute over the last 30 minutes. */
@ApiTags('stats')
@Controller('api/stats')
export class StatsController {
  constructor(
    private readonly tasks: TaskSubmissionService,
    @Inject(STATS_REPOSITORY) private readonly views: StatsRepository,
  ) {}

  @Get()
  async stats() {
    const [tasks, nodes, throughput] = await Promise.all([this.tasks.counts(), this.views.nodes(), this.views.finishedPerMinute(30)]);
    return { tasks, nodes, throughput: throughput.map((r) => ({ minute: new Date(r.minute).toISOString(), status: r.status, count: r.count })) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { tenantFilterOf, type TenantAccess } from '@kairos/runtime';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import { STATS_REPOSITORY, type NodeView, type StatsRepository } from './stats.repository';

/** The dashboard's numbers: task counts by status, nodes, and tasks finished per minute (last 30 minutes). */
@Injectable()
export class StatsService {
  constructor(
    private readonly tasks: TaskSubmissionService,
    @Inject(STATS_REPOSITORY) private readonly views: StatsRepository,
  ) {}

  /** Task counts are the key's tenant's (admin: all); nodes and throughput are cluster-wide. */
  async stats(access: TenantAccess): Promise<{ tasks: Record<string, number>; nodes: NodeView[]; throughput: Array<{ minute: string; status: string; count: number }> }> {
    const [tasks, nodes, throughput] = await Promise.all([this.tasks.counts(tenantFilterOf(access) ?? undefined), this.views.nodes(), this.views.finishedPerMinute(30)]);
    return { tasks, nodes, throughput: throughput.map((r) => ({ minute: new Date(r.minute).toISOString(), status: r.status, count: r.count })) };
  }
}

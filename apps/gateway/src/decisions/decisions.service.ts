import { Inject, Injectable } from '@nestjs/common';
import { keysetOf, pageFrom, tenantFilterOf, type Page, type TenantAccess } from '@kairos/runtime';
import { DECISION_READ_REPOSITORY, type DecisionFilter, type DecisionReadRepository } from './decision-read.repository';

/** The most decisions one task answers with (a task is placed once per attempt). */
export const TASK_DECISIONS_LIMIT = 1000;

/** Scheduling decision records (the executor's scheduling_decisions): per task, and per node and time range. */
@Injectable()
export class DecisionsService {
  constructor(@Inject(DECISION_READ_REPOSITORY) private readonly rows: DecisionReadRepository) {}

  /** `{ items }`, oldest first; an unknown task has none (an empty list, not 404: records outlive and predate nothing else). */
  async forTask(taskId: string, access: TenantAccess, kinds?: readonly string[]): Promise<{ items: Array<Record<string, unknown>> }> {
    const rows = await this.rows.forTask(taskId, TASK_DECISIONS_LIMIT, kinds, tenantFilterOf(access) ?? undefined);
    return { items: rows.map((r) => r.record) };
  }

  /** A non-admin key sees only the decisions about its tenant's tasks (as a task's own decisions); admin sees all. */
  async list(q: Omit<DecisionFilter, 'kinds' | 'tenant'> & { kind?: readonly string[]; limit: number; cursor?: string }, access: TenantAccess): Promise<Page<Record<string, unknown>>> {
    const tenant = tenantFilterOf(access) ?? undefined;
    const rows = await this.rows.list({ nodeId: q.nodeId, kinds: q.kind, from: q.from, to: q.to, tenant }, q.limit + 1, keysetOf(q.cursor));
    return pageFrom(rows, q.limit, (r) => r.decisionId, (r) => r.record);
  }
}

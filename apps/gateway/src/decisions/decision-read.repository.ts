import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const DECISION_READ_REPOSITORY = Symbol('GATEWAY_DECISION_READ_REPOSITORY');

export interface DecisionRow {
  decisionId: string;
  /** The stored DecisionRecord (libs/contracts), as the executor wrote it. */
  record: Record<string, unknown>;
  cursor_t: string;
}

export interface DecisionFilter {
  nodeId?: string;
  /** Decision kinds to keep (ordering, placement, retry, failover, repair…); all when absent. */
  kinds?: readonly string[];
  from?: Date;
  to?: Date;
  /**
   * Only decisions about this tenant's tasks (a non-admin key's tenant, as tenantFilterOf gives it):
   * another tenant's tasks and the decisions about no task (node diagnoses, repairs) are left out.
   */
  tenant?: string;
}

/** scheduling_decisions (written by the executor) read here, as the repair audit is: per task, and per node and time range. */
export interface DecisionReadRepository {
  /** Every decision about one task (of `kinds` when given), oldest first. */
  /** With `tenant`, only when the task is that tenant's (another tenant's task has none, like an unknown one). */
  forTask(taskId: string, limit: number, kinds?: readonly string[], tenant?: string): Promise<DecisionRow[]>;
  /** Newest first, `limit` after `after`; `from` inclusive, `to` exclusive. */
  list(filter: DecisionFilter, limit: number, after?: Keyset): Promise<DecisionRow[]>;
}

@Injectable()
export class PgDecisionReadRepository implements DecisionReadRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  forTask(taskId: string, limit: number, kinds?: readonly string[], tenant?: string): Promise<DecisionRow[]> {
    return this.db.query(
      `SELECT decision_id AS "decisionId", record, ${cursorTime('decided_at')} AS cursor_t
         FROM scheduling_decisions WHERE task_id = $1 AND ($3::text[] IS NULL OR kind = ANY($3::text[]))
          AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = $1 AND t.tenant = $4))
        ORDER BY decided_at, decision_id LIMIT $2`,
      [taskId, limit, kinds ?? null, tenant ?? null],
    );
  }

  list(filter: DecisionFilter, limit: number, after?: Keyset): Promise<DecisionRow[]> {
    return this.db.query(
      `SELECT decision_id AS "decisionId", record, ${cursorTime('decided_at')} AS cursor_t
         FROM scheduling_decisions
        WHERE ($1::text IS NULL OR node_id = $1)
          AND ($7::text[] IS NULL OR kind = ANY($7::text[]))
          AND ($2::timestamptz IS NULL OR decided_at >= $2)
          AND ($3::timestamptz IS NULL OR decided_at < $3)
          AND ($4::timestamptz IS NULL OR (decided_at, decision_id::text) < ($4::timestamptz, $5::text))
          AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = scheduling_decisions.task_id AND t.tenant = $8))
        ORDER BY decided_at DESC, decision_id::text DESC LIMIT $6`,
      [filter.nodeId ?? null, filter.from ?? null, filter.to ?? null, after?.t ?? null, after?.id ?? null, limit, filter.kinds ?? null, filter.tenant ?? null],
    );
  }
}

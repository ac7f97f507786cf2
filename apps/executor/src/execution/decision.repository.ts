import { Inject, Injectable } from '@nestjs/common';
import type { DecisionRecord } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';

export const DECISION_REPOSITORY = Symbol('EXECUTOR_DECISION_REPOSITORY');

/** scheduling_decisions, as the executor writes it: batches after each claim, and the retention sweep. */
export interface DecisionRepository {
  /** One multi-row insert (a pass's records); duplicates of a decision id are ignored. */
  insertMany(records: readonly DecisionRecord[]): Promise<void>;
  /** Deletes records decided before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}

@Injectable()
export class PgDecisionRepository implements DecisionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insertMany(records: readonly DecisionRecord[]): Promise<void> {
    if (!records.length) return;
    // Column arrays unnested: one statement and a fixed parameter count whatever the batch size.
    await this.db.query(
      `INSERT INTO scheduling_decisions (decision_id, kind, task_id, node_id, policy, decided_at, record)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
       ON CONFLICT (decision_id) DO NOTHING`,
      [
        records.map((r) => r.decisionId),
        records.map((r) => r.kind),
        records.map((r) => r.taskId),
        records.map((r) => r.nodeId),
        records.map((r) => r.policy.name),
        records.map((r) => r.at),
        records.map((r) => JSON.stringify(r)),
      ],
    );
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(`WITH d AS (DELETE FROM scheduling_decisions WHERE decided_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [cutoff]);
    return rows[0]?.n ?? 0;
  }
}

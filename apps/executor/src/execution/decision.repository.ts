import { Inject, Injectable } from '@nestjs/common';
import type { DecisionRecord } from '@kairos/contracts';
import { DATABASE, insertDecisionRecords, type Database } from '@kairos/persistence';

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

  insertMany(records: readonly DecisionRecord[]): Promise<void> {
    return insertDecisionRecords(this.db, records);
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(`WITH d AS (DELETE FROM scheduling_decisions WHERE decided_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [cutoff]);
    return rows[0]?.n ?? 0;
  }
}

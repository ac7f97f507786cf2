import type { DecisionRecord } from '@kairos/contracts';
import type { Database } from './database';

/**
 * Inserts decision records into `scheduling_decisions` (the executor's table; the analyzer writes its
 * diagnosis records there too): column arrays unnested, so one statement and a fixed parameter count
 * whatever the batch size; idempotent by decision id.
 */
export async function insertDecisionRecords(db: Pick<Database, 'query'>, records: readonly DecisionRecord[]): Promise<void> {
  if (!records.length) return;
  await db.query(
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

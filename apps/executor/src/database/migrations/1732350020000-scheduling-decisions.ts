import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * scheduling_decisions (executor): one row per recorded scheduling decision of a claimed task (a
 * libs/contracts DecisionRecord in `record`, its keys in columns for the per-task, per-node and per-time
 * queries). Written in one multi-row insert per scheduling pass after the claim; rows older than
 * DECISIONS_RETENTION_DAYS are deleted periodically. No foreign key to tasks: records outlive task purges
 * until their retention.
 */
export class SchedulingDecisions1732350020000 implements MigrationInterface {
  name = 'SchedulingDecisions1732350020000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE scheduling_decisions (
      decision_id uuid PRIMARY KEY,
      kind text NOT NULL,
      task_id uuid,
      node_id text,
      policy text NOT NULL,
      decided_at timestamptz NOT NULL,
      record jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX scheduling_decisions_task ON scheduling_decisions (task_id, decided_at)`);
    await q.query(`CREATE INDEX scheduling_decisions_time ON scheduling_decisions (decided_at DESC, decision_id)`);
    await q.query(`CREATE INDEX scheduling_decisions_node ON scheduling_decisions (node_id, decided_at DESC)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduling_decisions`);
  }
}

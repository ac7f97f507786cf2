import type { MigrationInterface, QueryRunner } from 'typeorm';

/** repair_actions (executor): audit of every repair decision applied, dry-run or rejected; node cordons; queue throttles. */
export class Repairs1732350005000 implements MigrationInterface {
  name = 'Repairs1732350005000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE repair_actions (
      action_id uuid PRIMARY KEY,
      kind text NOT NULL,
      action jsonb NOT NULL,
      reason text NOT NULL,
      confidence double precision NOT NULL,
      dry_run boolean NOT NULL,
      requested_by text NOT NULL,
      status text NOT NULL,
      detail text NOT NULL,
      applied_by text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`ALTER TABLE nodes ADD COLUMN cordoned boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE queue_policies ADD COLUMN max_concurrent int`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE queue_policies DROP COLUMN max_concurrent`);
    await q.query(`ALTER TABLE nodes DROP COLUMN cordoned`);
    await q.query(`DROP TABLE repair_actions`);
  }
}

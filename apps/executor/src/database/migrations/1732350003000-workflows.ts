import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * workflow_runs (gateway inserts, executor advances): one DAG run, its validated task specs and the
 * run-state checkpoint every advancement resumes from. Workflow tasks are ordinary `tasks` rows tagged
 * with their run, key and generation (a rerun is a new generation), inserted only once runnable.
 */
export class Workflows1732350003000 implements MigrationInterface {
  name = 'Workflows1732350003000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE workflow_runs (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      status text NOT NULL,
      dag jsonb NOT NULL,
      checkpoint jsonb NOT NULL,
      generation int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX workflow_runs_running ON workflow_runs (updated_at) WHERE status = 'running'`);
    await q.query(`CREATE INDEX workflow_runs_created ON workflow_runs (created_at DESC)`);
    await q.query(`ALTER TABLE tasks ADD COLUMN workflow_run_id uuid REFERENCES workflow_runs(id)`);
    await q.query(`ALTER TABLE tasks ADD COLUMN workflow_key text`);
    await q.query(`ALTER TABLE tasks ADD COLUMN workflow_generation int`);
    // A duplicate or replayed completion event can never insert the same workflow task twice.
    await q.query(`CREATE UNIQUE INDEX tasks_workflow_key ON tasks (workflow_run_id, workflow_key, workflow_generation) WHERE workflow_run_id IS NOT NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_workflow_key`);
    await q.query(`ALTER TABLE tasks DROP COLUMN workflow_generation`);
    await q.query(`ALTER TABLE tasks DROP COLUMN workflow_key`);
    await q.query(`ALTER TABLE tasks DROP COLUMN workflow_run_id`);
    await q.query(`DROP TABLE workflow_runs`);
  }
}

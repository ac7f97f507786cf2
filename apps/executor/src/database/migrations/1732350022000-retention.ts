import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of finished work (executor; docs/resources.md, Retention):
 * - `task_archive`: one row per archived task (or finished workflow run): lookup columns and a
 *   gzip-compressed JSON blob of the row with its attempts and events (libs/persistence
 *   task-archive.codec). The gateway reads it for GET /api/tasks/:id of an archived task.
 * - `retention_lease`: one row; the executor holding it runs retention, so two never run it at once,
 *   and `last_finished_at` spaces runs RETENTION_INTERVAL_MS apart cluster-wide.
 * - tasks.events_dropped_at / output_dropped_at: when a shorter events or outputs retention dropped
 *   those parts of a kept task; the partial indexes keep each step's scan to what is left to do.
 */
export class Retention1732350022000 implements MigrationInterface {
  name = 'Retention1732350022000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_archive (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('task', 'workflow_run')),
      status text NOT NULL,
      workflow_run_id uuid,
      finished_at timestamptz NOT NULL,
      archived_at timestamptz NOT NULL DEFAULT now(),
      format text NOT NULL,
      blob bytea NOT NULL
    )`);
    await q.query(`CREATE INDEX task_archive_finished ON task_archive (finished_at)`);
    await q.query(`CREATE INDEX task_archive_workflow ON task_archive (workflow_run_id) WHERE workflow_run_id IS NOT NULL`);
    await q.query(`CREATE TABLE retention_lease (
      name text PRIMARY KEY,
      owner text,
      expires_at timestamptz NOT NULL DEFAULT '-infinity',
      last_finished_at timestamptz
    )`);
    await q.query(`INSERT INTO retention_lease (name) VALUES ('retention')`);
    await q.query(`ALTER TABLE tasks ADD COLUMN events_dropped_at timestamptz`);
    await q.query(`ALTER TABLE tasks ADD COLUMN output_dropped_at timestamptz`);
    await q.query(`CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL`);
    await q.query(`CREATE INDEX tasks_events_kept ON tasks (finished_at) WHERE finished_at IS NOT NULL AND events_dropped_at IS NULL`);
    await q.query(`CREATE INDEX tasks_output_kept ON tasks (finished_at) WHERE finished_at IS NOT NULL AND output_dropped_at IS NULL`);
    await q.query(`CREATE INDEX workflow_runs_finished ON workflow_runs (finished_at) WHERE status <> 'running'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX workflow_runs_finished`);
    await q.query(`DROP INDEX tasks_output_kept`);
    await q.query(`DROP INDEX tasks_events_kept`);
    await q.query(`DROP INDEX tasks_finished`);
    await q.query(`ALTER TABLE tasks DROP COLUMN output_dropped_at`);
    await q.query(`ALTER TABLE tasks DROP COLUMN events_dropped_at`);
    await q.query(`DROP TABLE retention_lease`);
    await q.query(`DROP TABLE task_archive`);
  }
}

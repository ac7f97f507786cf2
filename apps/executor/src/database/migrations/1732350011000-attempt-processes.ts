import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * attempt_processes: what identifies each shell attempt's process group beyond a reusable pid (host,
 * boot, pid, pgid, start time) and which executor process started it. A restarted executor (or one
 * about to run a retry on the same host) finds the groups an earlier attempt left and kills them.
 */
export class AttemptProcesses1732350011000 implements MigrationInterface {
  name = 'AttemptProcesses1732350011000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE attempt_processes (
      task_id uuid NOT NULL,
      attempt int NOT NULL,
      host text NOT NULL,
      boot_id text NOT NULL,
      pid int NOT NULL,
      pgid int NOT NULL,
      start_time bigint NOT NULL,
      executor_pid int NOT NULL,
      executor_start_time bigint NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz,
      end_reason text,
      PRIMARY KEY (task_id, attempt)
    )`);
    await q.query(`CREATE INDEX attempt_processes_open ON attempt_processes (host) WHERE ended_at IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attempt_processes`);
  }
}

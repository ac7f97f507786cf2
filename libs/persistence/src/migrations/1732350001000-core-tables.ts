import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Core tables. Ownership (one writer per table or column set):
 * - tasks: rows inserted by the gateway (submission) and transitioned only by executors.
 * - attempts, nodes: executor.
 * - metric_samples, metric_rollups: collector.
 * - duration_history, duration_estimates: analyzer.
 * Every service runs every migration at boot under an advisory lock, so start-up order is free.
 */
export class CoreTables1732350001000 implements MigrationInterface {
  name = 'CoreTables1732350001000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tasks (
      id uuid PRIMARY KEY,
      name text,
      queue text NOT NULL,
      priority int NOT NULL,
      run jsonb NOT NULL,
      resources jsonb NOT NULL,
      labels jsonb NOT NULL DEFAULT '{}',
      timeout_ms int NOT NULL,
      max_attempts int NOT NULL,
      idempotency_key text UNIQUE,
      status text NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      lost_count int NOT NULL DEFAULT 0,
      run_after timestamptz NOT NULL DEFAULT now(),
      node_id text,
      lease_owner text,
      lease_expires_at timestamptz,
      cancel_requested_at timestamptz,
      predicted_p50_ms double precision,
      predicted_p90_ms double precision,
      exit_code int,
      output_tail text,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX tasks_runnable ON tasks (run_after, created_at) WHERE status = 'queued'`);
    await q.query(`CREATE INDEX tasks_running_lease ON tasks (lease_expires_at) WHERE status = 'running'`);
    await q.query(`CREATE INDEX tasks_created ON tasks (created_at DESC)`);
    await q.query(`CREATE TABLE attempts (
      task_id uuid NOT NULL REFERENCES tasks(id),
      attempt int NOT NULL,
      node_id text NOT NULL,
      executor_id text NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      exit_code int,
      duration_ms int,
      output_tail text,
      error text,
      PRIMARY KEY (task_id, attempt)
    )`);
    await q.query(`CREATE TABLE nodes (
      id text PRIMARY KEY,
      executor_id text NOT NULL,
      cpu_millis int NOT NULL,
      mem_mb int NOT NULL,
      labels jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL,
      running int NOT NULL DEFAULT 0,
      last_heartbeat_at timestamptz NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE metric_samples (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      source text NOT NULL,
      node_id text NOT NULL,
      task_id uuid,
      sampled_at timestamptz NOT NULL,
      cpu_percent double precision NOT NULL,
      mem_mb double precision NOT NULL
    )`);
    await q.query(`CREATE INDEX metric_samples_task ON metric_samples (task_id, sampled_at) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE INDEX metric_samples_node ON metric_samples (node_id, sampled_at)`);
    await q.query(`CREATE TABLE metric_rollups (
      node_id text NOT NULL,
      minute timestamptz NOT NULL,
      samples int NOT NULL,
      cpu_avg double precision NOT NULL,
      cpu_max double precision NOT NULL,
      mem_avg double precision NOT NULL,
      mem_max double precision NOT NULL,
      PRIMARY KEY (node_id, minute)
    )`);
    await q.query(`CREATE TABLE duration_history (
      task_id uuid NOT NULL,
      attempt int NOT NULL,
      signature text NOT NULL,
      status text NOT NULL,
      duration_ms int NOT NULL,
      finished_at timestamptz NOT NULL,
      PRIMARY KEY (task_id, attempt)
    )`);
    await q.query(`CREATE INDEX duration_history_signature ON duration_history (signature, finished_at DESC)`);
    await q.query(`CREATE TABLE duration_estimates (
      task_id uuid PRIMARY KEY,
      signature text NOT NULL,
      p50_ms double precision NOT NULL,
      p90_ms double precision NOT NULL,
      model text NOT NULL,
      model_version text NOT NULL,
      based_on int NOT NULL,
      estimated_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['duration_estimates', 'duration_history', 'metric_rollups', 'metric_samples', 'nodes', 'attempts', 'tasks']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}

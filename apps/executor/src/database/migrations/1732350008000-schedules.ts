import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules (issue #14, docs/architecture.md "Schedules"):
 * - `schedules`: definitions (validated ScheduleSchema jsonb), `paused`, `hash` (stableHash32 of the id;
 *   an executor plans partition hash mod SCHEDULE_PARTITIONS, so only executors need to agree on P),
 *   `revision` from a sequence, bumped on every change so executors reload incrementally; a delete
 *   sets `deleted_at` (kept, so replicas see it and history stays readable). The gateway inserts and
 *   updates these rows (like task submissions); the executor only reads them.
 * - `schedule_state`: the executor's durable cursor (`decided_through`) and circuit breaker per schedule.
 * - `schedule_ticks`: one row per (schedule, tick, shard): fired (task_id) or skipped (reason; shard 0).
 *   The UNIQUE key is what makes each tick fire once cluster-wide.
 * - `schedule_misfires`: summaries of misfires after an outage (count, first, last).
 * - `schedule_partitions`: planning leases (owner, fencing token, expiry) over P hash partitions;
 *   `schedule_planners`: each executor's heartbeat, so partitions are spread over the live ones.
 */
export class Schedules1732350008000 implements MigrationInterface {
  name = 'Schedules1732350008000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE schedule_revision_seq`);
    await q.query(`CREATE TABLE schedules (
      id text PRIMARY KEY,
      name text NOT NULL,
      definition jsonb NOT NULL,
      paused boolean NOT NULL DEFAULT false,
      hash bigint NOT NULL,
      revision bigint NOT NULL DEFAULT nextval('schedule_revision_seq'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`);
    await q.query(`CREATE INDEX schedules_revision ON schedules (revision)`);
    await q.query(`CREATE TABLE schedule_state (
      schedule_id text PRIMARY KEY,
      decided_through timestamptz NOT NULL,
      breaker jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE schedule_ticks (
      schedule_id text NOT NULL,
      tick_at timestamptz NOT NULL,
      shard int NOT NULL,
      shard_count int NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('fired', 'skipped')),
      task_id uuid,
      skip_reason text,
      detail text,
      fire_at timestamptz,
      fired_at timestamptz,
      catch_up boolean NOT NULL DEFAULT false,
      trial boolean NOT NULL DEFAULT false,
      owner text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT schedule_ticks_once UNIQUE (schedule_id, tick_at, shard)
    )`);
    await q.query(`CREATE INDEX schedule_ticks_task ON schedule_ticks (task_id) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE TABLE schedule_misfires (
      id bigserial PRIMARY KEY,
      schedule_id text NOT NULL,
      count int NOT NULL,
      count_exact boolean NOT NULL,
      first_at timestamptz NOT NULL,
      last_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE schedule_partitions (
      partition int PRIMARY KEY,
      owner text,
      token bigint NOT NULL DEFAULT 0,
      expires_at timestamptz NOT NULL DEFAULT '-infinity'
    )`);
    await q.query(`CREATE TABLE schedule_planners (
      owner text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedule_planners`);
    await q.query(`DROP TABLE schedule_partitions`);
    await q.query(`DROP TABLE schedule_misfires`);
    await q.query(`DROP TABLE schedule_ticks`);
    await q.query(`DROP TABLE schedule_state`);
    await q.query(`DROP TABLE schedules`);
    await q.query(`DROP SEQUENCE schedule_revision_seq`);
  }
}

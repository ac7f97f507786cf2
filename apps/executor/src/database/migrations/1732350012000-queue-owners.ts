import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * queue_owners (executor): one owner at a time per queue, as a lease. The owner keeps the queue's
 * policy state and is the only executor that dispatches its tasks (claims are fenced on it), so the
 * queue has one order cluster-wide; an owner that stops renewing (kill -9) loses it after the lease.
 */
export class QueueOwners1732350012000 implements MigrationInterface {
  name = 'QueueOwners1732350012000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE queue_owners (
      queue text PRIMARY KEY,
      owner text NOT NULL,
      epoch bigint NOT NULL DEFAULT 1,
      acquired_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX tasks_running_owner ON tasks (lease_owner) WHERE status = 'running'`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_running_owner`);
    await q.query(`DROP TABLE queue_owners`);
  }
}

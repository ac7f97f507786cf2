import type { MigrationInterface, QueryRunner } from 'typeorm';

/** queue_policies (gateway writes through the API; executors read every second): ordering policy and placement per queue. */
export class QueuePolicies1732350004000 implements MigrationInterface {
  name = 'QueuePolicies1732350004000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE queue_policies (
      queue text PRIMARY KEY,
      policy text NOT NULL,
      placement text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE queue_policies`);
  }
}

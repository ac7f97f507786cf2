import type { MigrationInterface, QueryRunner } from 'typeorm';

/** nodes.restart_requested_at: a restart_runner repair asks the node's executor to restart its running work. */
export class NodeRestarts1732350007000 implements MigrationInterface {
  name = 'NodeRestarts1732350007000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nodes ADD COLUMN restart_requested_at timestamptz`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nodes DROP COLUMN restart_requested_at`);
  }
}

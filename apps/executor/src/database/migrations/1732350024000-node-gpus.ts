import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * nodes.gpus: how many GPU devices a node declares (EXECUTOR_NODES), written with every heartbeat, so a
 * queue owner places GPU tasks on any executor's GPU nodes (docs/resources.md, GPUs). 0: no GPU.
 */
export class NodeGpus1732350024000 implements MigrationInterface {
  name = 'NodeGpus1732350024000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nodes ADD COLUMN gpus integer NOT NULL DEFAULT 0 CHECK (gpus >= 0)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE nodes DROP COLUMN gpus`);
  }
}

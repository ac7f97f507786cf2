import type { MigrationInterface, QueryRunner } from 'typeorm';

/** metric_samples.net_percent: a node's network utilisation from the executor's node agent (null for task samples and older rows). */
export class MetricSamplesNet1732350013100 implements MigrationInterface {
  name = 'MetricSamplesNet1732350013100';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE metric_samples ADD COLUMN net_percent float8`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE metric_samples DROP COLUMN net_percent`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * duration_estimates.features: the feature row a model estimate was made from (JSON array in the version's
 * feature order, null for a missing input), so the estimate can be explained later against the same version.
 * Null for moving-average estimates and for estimates made before this column.
 */
export class EstimateFeatures1732350023000 implements MigrationInterface {
  name = 'EstimateFeatures1732350023000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE duration_estimates ADD COLUMN IF NOT EXISTS features jsonb`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE duration_estimates DROP COLUMN features`);
  }
}

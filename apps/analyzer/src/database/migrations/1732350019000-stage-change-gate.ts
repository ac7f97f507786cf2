import type { MigrationInterface, QueryRunner } from 'typeorm';

/** model_stage_changes.gate: the deploy gate's verdict on a promotion (deployable, forced, force reason, summary). */
export class StageChangeGate1732350019000 implements MigrationInterface {
  name = 'StageChangeGate1732350019000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_stage_changes ADD COLUMN IF NOT EXISTS gate jsonb`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_stage_changes DROP COLUMN gate`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow runs and schedules belong to a tenant (issue #18): the tenant of the API key that submitted
 * them (their tasks take it). Rows written before this migration are `default`'s. `tasks.tenant` is in
 * the baseline (TaskTenant1732350021050: the gateway writes it whatever the start order).
 */
export class Tenants1732350021100 implements MigrationInterface {
  name = 'Tenants1732350021100';
  async up(q: QueryRunner): Promise<void> {
    for (const table of ['workflow_runs', 'schedules']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tenant text NOT NULL DEFAULT 'default' CONSTRAINT ${table}_tenant_slug CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$')`);
    }
    await q.query(`CREATE INDEX workflow_runs_tenant_created ON workflow_runs (tenant, created_at DESC)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX workflow_runs_tenant_created`);
    for (const table of ['schedules', 'workflow_runs']) await q.query(`ALTER TABLE ${table} DROP COLUMN tenant`);
  }
}

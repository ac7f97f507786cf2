import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks, workflow runs and schedules belong to a tenant (issue #18): the tenant of the API key that
 * submitted them (a workflow's and a schedule's tasks: the run's or schedule's). Rows written before
 * this migration are `default`'s. Indexes serve the tenant-filtered lists and the per-tenant running
 * and queued sums the quotas read.
 */
export class Tenants1732350021100 implements MigrationInterface {
  name = 'Tenants1732350021100';
  async up(q: QueryRunner): Promise<void> {
    for (const table of ['tasks', 'workflow_runs', 'schedules']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tenant text NOT NULL DEFAULT 'default' CONSTRAINT ${table}_tenant_slug CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$')`);
    }
    await q.query(`CREATE INDEX tasks_tenant_created ON tasks (tenant, created_at DESC)`);
    await q.query(`CREATE INDEX tasks_tenant_active ON tasks (tenant, status) WHERE status IN ('queued', 'running')`);
    await q.query(`CREATE INDEX workflow_runs_tenant_created ON workflow_runs (tenant, created_at DESC)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX workflow_runs_tenant_created`);
    await q.query(`DROP INDEX tasks_tenant_active`);
    await q.query(`DROP INDEX tasks_tenant_created`);
    for (const table of ['schedules', 'workflow_runs', 'tasks']) await q.query(`ALTER TABLE ${table} DROP COLUMN tenant`);
  }
}

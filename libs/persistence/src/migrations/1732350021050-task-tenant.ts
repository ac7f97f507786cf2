import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tasks.tenant` (issue #18): the tenant of the API key that submitted the task. In the baseline, not
 * with the executor's other tenant columns, because `tasks` is the baseline's table and the gateway
 * writes this column on every submission: a gateway that starts before any executor (distributed mode,
 * any start order) must find it. Rows written before it are `default`'s. IF NOT EXISTS: idempotent
 * beside databases where an earlier development build added it from the executor.
 */
export class TaskTenant1732350021050 implements MigrationInterface {
  name = 'TaskTenant1732350021050';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT 'default' CONSTRAINT tasks_tenant_slug CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$')`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_tenant_created ON tasks (tenant, created_at DESC)`);
    await q.query(`CREATE INDEX IF NOT EXISTS tasks_tenant_active ON tasks (tenant, status) WHERE status IN ('queued', 'running')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tasks_tenant_active`);
    await q.query(`DROP INDEX IF EXISTS tasks_tenant_created`);
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS tenant`);
  }
}

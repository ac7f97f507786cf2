import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * tenant_quotas (gateway writes through the admin API; the gateway reads it at submission for
 * max_queued_tasks, the executor at every scheduling pass for the running limits and the weight).
 * NULL = unlimited. A tenant without a row is unlimited with weight 1.
 */
export class TenantQuotas1732350021200 implements MigrationInterface {
  name = 'TenantQuotas1732350021200';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tenant_quotas (
      tenant text PRIMARY KEY CONSTRAINT tenant_quotas_tenant_slug CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      max_queued_tasks int CHECK (max_queued_tasks >= 0),
      max_running_cpu_millis bigint CHECK (max_running_cpu_millis >= 0),
      max_running_mem_mb bigint CHECK (max_running_mem_mb >= 0),
      max_running_gpus int CHECK (max_running_gpus >= 0),
      weight double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
      updated_by text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tenant_quotas`);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import type { TenantLimits } from '@kairos/scheduling-core';

export const TENANT_QUOTA_REPOSITORY = Symbol('GATEWAY_TENANT_QUOTA_REPOSITORY');

export interface TenantQuotaRecord extends TenantLimits {
  tenant: string;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** tenant_quotas (the gateway owns it) and the per-tenant count of queued tasks a submission is checked against. */
export interface TenantQuotaRepository {
  /** The stored quota, or null when the tenant has none (unlimited, weight 1). */
  find(tenant: string): Promise<TenantQuotaRecord | null>;
  upsert(tenant: string, limits: TenantLimits, updatedBy: string): Promise<TenantQuotaRecord>;
  /** Tasks of the tenant waiting to run (status queued). */
  countQueued(tenant: string): Promise<number>;
}

const COLUMNS = `tenant, max_queued_tasks AS "maxQueuedTasks", max_running_cpu_millis::float8 AS "maxRunningCpuMillis", max_running_mem_mb::float8 AS "maxRunningMemMb",
  max_running_gpus AS "maxRunningGpus", weight, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

@Injectable()
export class PgTenantQuotaRepository implements TenantQuotaRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async find(tenant: string): Promise<TenantQuotaRecord | null> {
    return (await this.db.query<TenantQuotaRecord>(`SELECT ${COLUMNS} FROM tenant_quotas WHERE tenant = $1`, [tenant]))[0] ?? null;
  }

  async upsert(tenant: string, l: TenantLimits, updatedBy: string): Promise<TenantQuotaRecord> {
    const rows = await this.db.query<TenantQuotaRecord>(
      `INSERT INTO tenant_quotas (tenant, max_queued_tasks, max_running_cpu_millis, max_running_mem_mb, max_running_gpus, weight, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (tenant) DO UPDATE SET max_queued_tasks = EXCLUDED.max_queued_tasks, max_running_cpu_millis = EXCLUDED.max_running_cpu_millis,
         max_running_mem_mb = EXCLUDED.max_running_mem_mb, max_running_gpus = EXCLUDED.max_running_gpus, weight = EXCLUDED.weight,
         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING ${COLUMNS}`,
      [tenant, l.maxQueuedTasks, l.maxRunningCpuMillis, l.maxRunningMemMb, l.maxRunningGpus, l.weight, updatedBy],
    );
    return rows[0];
  }

  async countQueued(tenant: string): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE tenant = $1 AND status = 'queued'`, [tenant]);
    return n;
  }
}

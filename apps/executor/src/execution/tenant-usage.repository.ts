import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import type { Resources } from '@kairos/scheduling-core';
import type { TenantLimits } from '@kairos/scheduling-core';

export const TENANT_USAGE_REPOSITORY = Symbol('EXECUTOR_TENANT_USAGE_REPOSITORY');

/** What scheduling reads for tenant quotas: the limits (tenant_quotas, written by the gateway) and what each tenant's running tasks request, cluster-wide. */
export interface TenantUsageRepository {
  /** Every stored quota by tenant (tenants without a row are unlimited). */
  limits(): Promise<Map<string, TenantLimits>>;
  /** Sum of the running tasks' requests of each given tenant. */
  runningByTenant(tenants: readonly string[]): Promise<Map<string, Partial<Resources>>>;
}

function isUndefinedTable(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return e?.code === '42P01' || e?.driverError?.code === '42P01';
}

@Injectable()
export class PgTenantUsageRepository implements TenantUsageRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async limits(): Promise<Map<string, TenantLimits>> {
    try {
      const rows = await this.db.query<TenantLimits & { tenant: string }>(
        `SELECT tenant, max_queued_tasks AS "maxQueuedTasks", max_running_cpu_millis::float8 AS "maxRunningCpuMillis", max_running_mem_mb::float8 AS "maxRunningMemMb",
                max_running_gpus AS "maxRunningGpus", weight FROM tenant_quotas`,
      );
      return new Map(rows.map(({ tenant, ...l }) => [tenant, l]));
    } catch (err) {
      // A distributed executor may start before the gateway created tenant_quotas: no quotas yet.
      if (isUndefinedTable(err)) return new Map();
      throw err;
    }
  }

  async runningByTenant(tenants: readonly string[]): Promise<Map<string, Partial<Resources>>> {
    if (!tenants.length) return new Map();
    const rows = await this.db.query<{ tenant: string; cpu: number; mem: number; gpu: number }>(
      `SELECT tenant, coalesce(sum((resources->>'cpuMillis')::float8), 0) AS cpu, coalesce(sum((resources->>'memMb')::float8), 0) AS mem,
              coalesce(sum(coalesce((resources->>'gpu')::float8, 0)), 0) AS gpu
         FROM tasks WHERE status = 'running' AND tenant = ANY($1::text[]) GROUP BY tenant`,
      [[...tenants]],
    );
    return new Map(rows.map((r) => [r.tenant, { cpuMillis: Number(r.cpu), memMb: Number(r.mem), gpu: Number(r.gpu) }]));
  }
}

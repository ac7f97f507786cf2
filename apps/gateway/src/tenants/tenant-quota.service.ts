import { Inject, Injectable } from '@nestjs/common';
import type { ResourceRequest, TenantQuotaSpec } from '@kairos/contracts';
import { checkTenantSubmission, UNLIMITED_TENANT } from '@kairos/scheduling-core';
import { GatewayError } from '../errors/gateway.errors';
import { TENANT_QUOTA_REPOSITORY, type TenantQuotaRecord, type TenantQuotaRepository } from './tenant-quota.repository';

/**
 * Tenant quotas: read and replace (admin), and the submission check (maxQueuedTasks, and a task that
 * alone exceeds a running limit). The running limits themselves are enforced where the executor
 * dispatches (TenantRunningLedger in libs/scheduling-core).
 */
@Injectable()
export class TenantQuotaService {
  constructor(@Inject(TENANT_QUOTA_REPOSITORY) private readonly repo: TenantQuotaRepository) {}

  /** The tenant's quota; a tenant without one is unlimited with weight 1 (`updatedAt` null). */
  async get(tenant: string): Promise<TenantQuotaRecord> {
    return (await this.repo.find(tenant)) ?? { tenant, ...UNLIMITED_TENANT, updatedBy: null, updatedAt: null };
  }

  put(tenant: string, spec: TenantQuotaSpec, by: string): Promise<TenantQuotaRecord> {
    return this.repo.upsert(tenant, spec, by);
  }

  /**
   * Throws 429 TENANT_QUOTA_EXCEEDED (details.quota names the limit) when `tenant` may not queue
   * `count` more tasks with this request. Read-then-insert, not atomic: concurrent submissions may pass
   * the limit by at most their number (a soft limit, as Slurm's MaxSubmitJobs under parallel sbatch).
   */
  async checkSubmission(tenant: string, requests: ReadonlyArray<Pick<ResourceRequest, 'cpuMillis' | 'memMb'> & { gpu?: number }>): Promise<void> {
    const limits = await this.repo.find(tenant);
    if (!limits || !requests.length) return;
    let queued = limits.maxQueuedTasks === null ? 0 : await this.repo.countQueued(tenant);
    for (const r of requests) {
      const v = checkTenantSubmission(tenant, { cpuMillis: r.cpuMillis, memMb: r.memMb, gpu: r.gpu ?? 0 }, queued, limits);
      if (!v.ok) throw new GatewayError('TENANT_QUOTA_EXCEEDED', v.reason, { tenant, quota: v.quota, limit: v.limit });
      queued++;
    }
  }
}

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
/** How long a tenant's stored quota is reused at submission (a change reaches other gateway replicas within this). */
export const TENANT_QUOTA_CACHE_MS = 1_000;

@Injectable()
export class TenantQuotaService {
  /** Submission is the hot path: one quota read per tenant per TENANT_QUOTA_CACHE_MS, not per task. */
  private readonly cache = new Map<string, { until: number; limits: TenantQuotaRecord | null }>();

  constructor(@Inject(TENANT_QUOTA_REPOSITORY) private readonly repo: TenantQuotaRepository) {}

  /** The tenant's quota; a tenant without one is unlimited with weight 1 (`updatedAt` null). */
  async get(tenant: string): Promise<TenantQuotaRecord> {
    return (await this.repo.find(tenant)) ?? { tenant, ...UNLIMITED_TENANT, updatedBy: null, updatedAt: null };
  }

  async put(tenant: string, spec: TenantQuotaSpec, by: string): Promise<TenantQuotaRecord> {
    const stored = await this.repo.upsert(tenant, spec, by);
    this.cache.delete(tenant);
    return stored;
  }

  /**
   * Throws 429 TENANT_QUOTA_EXCEEDED (details.quota names the limit) when `tenant` may not queue these
   * tasks (one request each; a workflow's first tasks together). Read-then-insert, not atomic: concurrent submissions may pass
   * the limit by at most their number (a soft limit, as Slurm's MaxSubmitJobs under parallel sbatch).
   */
  async checkSubmission(tenant: string, requests: ReadonlyArray<Pick<ResourceRequest, 'cpuMillis' | 'memMb'> & { gpu?: number }>): Promise<void> {
    if (!requests.length) return;
    const limits = await this.cachedLimits(tenant);
    if (!limits) return;
    let queued = limits.maxQueuedTasks === null ? 0 : await this.repo.countQueued(tenant);
    for (const r of requests) {
      const v = checkTenantSubmission(tenant, { cpuMillis: r.cpuMillis, memMb: r.memMb, gpu: r.gpu ?? 0 }, queued, limits);
      if (!v.ok) throw new GatewayError('TENANT_QUOTA_EXCEEDED', v.reason, { tenant, quota: v.quota, limit: v.limit });
      queued++;
    }
  }

  private async cachedLimits(tenant: string): Promise<TenantQuotaRecord | null> {
    const now = Date.now();
    const hit = this.cache.get(tenant);
    if (hit && hit.until > now) return hit.limits;
    const limits = await this.repo.find(tenant);
    this.cache.set(tenant, { until: now + TENANT_QUOTA_CACHE_MS, limits });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return limits;
  }
}

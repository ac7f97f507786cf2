import { RESOURCE_KEYS, ZERO_RESOURCES, type MutableResources, type ResourceKey, type Resources } from '../model/resources';
import { withinRunningQuota, type TenantShare } from './fair-share.policy';

/**
 * A tenant's quota as stored (tenant_quotas, PUT /api/tenants/:tenant/quota): null = unlimited.
 * Running limits bound what the tenant's running tasks request together, cluster-wide.
 */
export interface TenantLimits {
  readonly maxQueuedTasks: number | null;
  readonly maxRunningCpuMillis: number | null;
  readonly maxRunningMemMb: number | null;
  readonly maxRunningGpus: number | null;
  readonly weight: number;
}

export const UNLIMITED_TENANT: TenantLimits = Object.freeze({ maxQueuedTasks: null, maxRunningCpuMillis: null, maxRunningMemMb: null, maxRunningGpus: null, weight: 1 });

/** The quota field that bounds each resource dimension (io and net have none). */
export const RUNNING_QUOTA_FIELDS = { cpuMillis: 'maxRunningCpuMillis', memMb: 'maxRunningMemMb', gpu: 'maxRunningGpus' } as const satisfies Partial<Record<ResourceKey, keyof TenantLimits>>;
export type TenantQuotaField = 'maxQueuedTasks' | (typeof RUNNING_QUOTA_FIELDS)[keyof typeof RUNNING_QUOTA_FIELDS];
const RUNNING_LIMITS = Object.entries(RUNNING_QUOTA_FIELDS) as ReadonlyArray<[keyof typeof RUNNING_QUOTA_FIELDS, (typeof RUNNING_QUOTA_FIELDS)[keyof typeof RUNNING_QUOTA_FIELDS]]>;

/** The running limits as a resource vector (absent dimension: unlimited), as FairSharePolicy and withinRunningQuota take them. */
export function runningQuotaOf(l: TenantLimits): Partial<Resources> {
  const out: Partial<MutableResources> = {};
  for (const [k, field] of RUNNING_LIMITS) {
    const v = l[field];
    if (v !== null) out[k] = v;
  }
  return out;
}

/** The stored quota as FairSharePolicy's TenantShare (weight, running quota, queued-tasks quota). */
export function tenantShareOf(l: TenantLimits): TenantShare {
  return { weight: l.weight, quota: { running: runningQuotaOf(l), ...(l.maxQueuedTasks !== null ? { queuedTasks: l.maxQueuedTasks } : {}) } };
}

export type SubmissionVerdict = { readonly ok: true } | { readonly ok: false; readonly quota: TenantQuotaField; readonly limit: number; readonly reason: string };

/**
 * At submission: may `tenant`, which has `queuedTasks` waiting, queue one more task requesting `request`?
 * Refused over maxQueuedTasks, and when the task alone needs more than a running limit (it could never
 * start: better refused now than queued forever).
 */
export function checkTenantSubmission(tenant: string, request: Partial<Resources>, queuedTasks: number, l: TenantLimits): SubmissionVerdict {
  for (const [k, field] of RUNNING_LIMITS) {
    const limit = l[field];
    const need = request[k] ?? 0;
    if (limit !== null && need > limit) return { ok: false, quota: field, limit, reason: `tenant ${tenant}: the task requests ${need} (${k}), over the tenant's ${field} of ${limit}; it could never start` };
  }
  if (l.maxQueuedTasks !== null && queuedTasks + 1 > l.maxQueuedTasks) {
    return { ok: false, quota: 'maxQueuedTasks', limit: l.maxQueuedTasks, reason: `tenant ${tenant} already has ${queuedTasks} queued tasks; its maxQueuedTasks is ${l.maxQueuedTasks}` };
  }
  return { ok: true };
}

/**
 * What each tenant's running tasks hold (cluster-wide, read once per scheduling pass) against its
 * running quota. The executor asks `admits` before it dispatches a task and `charge`s what it
 * dispatched, so several dispatches of one pass cannot together pass a limit.
 */
export class TenantRunningLedger {
  private readonly running = new Map<string, MutableResources>();

  constructor(
    running: ReadonlyMap<string, Partial<Resources>> | Readonly<Record<string, Partial<Resources>>>,
    private readonly limitsOf: (tenant: string) => TenantLimits,
  ) {
    const entries = running instanceof Map ? [...running.entries()] : Object.entries(running);
    for (const [tenant, r] of entries) this.running.set(tenant, { ...ZERO_RESOURCES, ...r });
  }

  /** What the tenant holds now (zero when nothing runs). */
  usageOf(tenant: string): Resources {
    return this.running.get(tenant) ?? ZERO_RESOURCES;
  }

  /** Would `times` more instances of `request` keep the tenant within its running quota? */
  admits(tenant: string, request: Resources, times = 1): boolean {
    return withinRunningQuota(this.usageOf(tenant), request, times, runningQuotaOf(this.limitsOf(tenant)));
  }

  /** Books a dispatch. */
  charge(tenant: string, request: Resources, times = 1): void {
    let r = this.running.get(tenant);
    if (!r) this.running.set(tenant, (r = { ...ZERO_RESOURCES }));
    for (const k of RESOURCE_KEYS) r[k] += request[k] * times;
  }
}

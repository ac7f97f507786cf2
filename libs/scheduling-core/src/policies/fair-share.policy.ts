import type { ClusterState } from '../model/cluster-state';
import { IDLE_EMPTY, IDLE_NOTHING_FITS, type Decision, type DispatchDecision } from '../model/decision.model';
import { SchedulingError } from '../model/errors';
import { RESOURCE_KEYS, ZERO_RESOURCES, type MutableResources, type ResourceKey, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import type { OrderingPolicy } from './ordering-policy';

/**
 * A tenant's limits, as admission control (Kueue's ClusterQueue nominal quota, Slurm's GrpTRES and
 * MaxSubmitJobs): work over a running quota stays queued until the tenant's own work ends; a
 * submission over the queued-tasks quota is refused (checkSubmissionQuota, at the API).
 */
export interface TenantQuota {
  /** Most resources the tenant's running instances may hold at once, per dimension (absent: unlimited). */
  readonly running?: Partial<Resources>;
  /** Most tasks the tenant may have waiting. */
  readonly queuedTasks?: number;
}

export interface TenantShare {
  /** Relative weight: a tenant of weight 2 is entitled to twice the dominant share of one of weight 1. */
  readonly weight: number;
  readonly quota?: TenantQuota;
}

export interface FairShareOptions {
  /** Makes the ordering policy that orders one tenant's own queue (any OrderingPolicy). */
  readonly createInner: (tenant: string) => OrderingPolicy;
  /** Shares of known tenants; others get `defaultShare`. */
  readonly tenants?: Readonly<Record<string, TenantShare>>;
  readonly defaultShare?: TenantShare;
  readonly name?: string;
  /**
   * How long (seconds on the driver's clock) a tenant below its share whose waiting work does not fit
   * holds the others to their entitlement. Bounded, so that work that can never fit (larger than any
   * node) stops throttling the others after a while; reset each time the tenant starts something.
   */
  readonly protectSeconds?: number;
}

export interface TenantUsage {
  readonly tenant: string;
  readonly weight: number;
  readonly running: Resources;
  readonly runningInstances: number;
  readonly queuedTasks: number;
  readonly queuedInstances: number;
}

interface TenantState {
  readonly name: string;
  readonly share: TenantShare;
  readonly inner: OrderingPolicy;
  readonly running: MutableResources;
  runningInstances: number;
  /** When it was last found with waiting work that does not fit and has not started anything since. */
  blockedSince: number | null;
}

interface TaskState {
  readonly task: Task;
  readonly tenant: TenantState;
  pending: number;
  running: number;
}

export function validateTenantShare(tenant: string, s: TenantShare): TenantShare {
  if (!(s.weight > 0) || !Number.isFinite(s.weight)) throw new SchedulingError('INVALID_ARGUMENT', `tenant ${tenant}: weight must be a positive number, got ${s.weight}`);
  for (const [k, v] of Object.entries(s.quota?.running ?? {})) {
    if (!(RESOURCE_KEYS as readonly string[]).includes(k)) throw new SchedulingError('INVALID_ARGUMENT', `tenant ${tenant}: quota.running.${k} is not a resource (${RESOURCE_KEYS.join(', ')})`);
    if (typeof v !== 'number' || !(v >= 0)) throw new SchedulingError('INVALID_ARGUMENT', `tenant ${tenant}: quota.running.${k} must be a non-negative number, got ${String(v)}`);
  }
  const q = s.quota?.queuedTasks;
  if (q !== undefined && !(Number.isInteger(q) && q >= 0)) throw new SchedulingError('INVALID_ARGUMENT', `tenant ${tenant}: quota.queuedTasks must be a non-negative integer, got ${q}`);
  return s;
}

/** Dominant share (Ghodsi et al. 2011): the largest fraction of any resource's capacity the vector holds. */
export function dominantShareOf(v: Resources, capacity: Resources): number {
  let s = 0;
  for (const k of RESOURCE_KEYS) if (capacity[k] > 0) s = Math.max(s, v[k] / capacity[k]);
  return s;
}

/** Would `running` plus `times` × `request` stay within the running quota in every dimension? */
export function withinRunningQuota(running: Resources, request: Resources, times: number, quota: Partial<Resources> | undefined): boolean {
  if (!quota) return true;
  for (const k of RESOURCE_KEYS) {
    const limit = quota[k];
    if (limit !== undefined && running[k] + request[k] * times > limit + 1e-9) return false;
  }
  return true;
}

/** Would the tenant's dominant share stay within `entitled` (a fraction of the cluster) after starting this? */
function withinEntitlement(running: Resources, request: Resources, times: number, capacity: Resources, entitled: number): boolean {
  for (const k of RESOURCE_KEYS) if (capacity[k] > 0 && (running[k] + request[k] * times) / capacity[k] > entitled + 1e-9) return false;
  return true;
}

export type QuotaVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly field: string };

/**
 * At submission: may the tenant queue one more task of this shape? Refuses a task that could never
 * start under the running quota (it would wait forever) and one over the queued-tasks quota.
 */
export function checkSubmissionQuota(tenant: string, task: Pick<Task, 'request' | 'instances' | 'gang'>, queuedTasks: number, quota: TenantQuota | undefined): QuotaVerdict {
  if (!quota) return { ok: true };
  const together = task.gang ? task.instances : 1;
  for (const k of RESOURCE_KEYS) {
    const limit = quota.running?.[k];
    if (limit !== undefined && task.request[k] * together > limit + 1e-9) {
      return { ok: false, field: `resources.${k}`, reason: `tenant ${tenant}: the task needs ${task.request[k] * together} ${unitOf(k)} at once, over the tenant's running quota of ${limit}` };
    }
  }
  if (quota.queuedTasks !== undefined && queuedTasks + 1 > quota.queuedTasks) {
    return { ok: false, field: 'tenant', reason: `tenant ${tenant}: ${queuedTasks} tasks already queued, the quota is ${quota.queuedTasks}` };
  }
  return { ok: true };
}

const unitOf = (k: ResourceKey): string => ({ cpuMillis: 'millicores', memMb: 'MB', gpu: 'GPUs', io: 'io units', net: 'net units' })[k];

/**
 * Weighted dominant-resource fairness between tenants over any ordering policy (Ghodsi, Zaharia,
 * Hindman, Konwinski, Shenker, Stoica: "Dominant Resource Fairness: Fair Allocation of Multiple
 * Resource Types", NSDI 2011, in the weighted form the paper gives: dominant share ÷ weight). Each tenant's queue is
 * ordered by its own instance of the inner policy; each decision goes to the tenant with the lowest
 * dominant share ÷ weight whose inner policy has something that fits and stays within the tenant's
 * running quota: progressive filling, one instance at a time. DRF keeps no memory of past use
 * (unlike Slurm's decayed fair-share): shares are equalised over what runs now, which is what
 * "share of allocated resources over time" measures. It is work-conserving: when the most deserving
 * tenant has nothing that fits, the next one runs (instances are not preempted, so a tenant that
 * arrives late catches up as others' instances end) — but only up to its entitlement (weight ÷ the
 * waiting tenants' total weight, as a dominant share) for `protectSeconds`: otherwise the small tasks
 * of better-served tenants refill every gap that opens and a larger task of the deprived tenant
 * never fits (the starvation YARN's fair scheduler answers with node reservations).
 *
 * Quotas: an inner decision that would take its tenant over its running quota is not taken; the
 * tenant waits (like Kueue's StrictFIFO: a smaller task behind it in the same tenant's queue does not
 * overtake it) while other tenants run.
 */
export class FairSharePolicy implements OrderingPolicy {
  readonly name: string;
  readonly information: OrderingPolicy['information'];
  private readonly tenants = new Map<string, TenantState>();
  private readonly tasks = new Map<string, TaskState>();
  private readonly shares: Readonly<Record<string, TenantShare>>;
  private readonly defaultShare: TenantShare;
  private readonly protectSeconds: number;

  constructor(private readonly opts: FairShareOptions) {
    this.protectSeconds = opts.protectSeconds ?? 3_600;
    if (!(this.protectSeconds >= 0)) throw new SchedulingError('INVALID_ARGUMENT', `protectSeconds must be a non-negative number, got ${this.protectSeconds}`);
    this.shares = Object.fromEntries(Object.entries(opts.tenants ?? {}).map(([t, s]) => [t, validateTenantShare(t, s)]));
    this.defaultShare = validateTenantShare('(default)', opts.defaultShare ?? { weight: 1 });
    const probe = opts.createInner('');
    this.name = opts.name ?? `drf(${probe.name})`;
    this.information = probe.information;
  }

  get queuedTasks(): number {
    let n = 0;
    for (const t of this.tenants.values()) n += t.inner.queuedTasks;
    return n;
  }

  get queuedInstances(): number {
    let n = 0;
    for (const t of this.tenants.values()) n += t.inner.queuedInstances;
    return n;
  }

  /** What each tenant holds and has waiting (for /health, metrics and submission checks). */
  usage(): TenantUsage[] {
    return [...this.tenants.values()].map((t) => ({ tenant: t.name, weight: t.share.weight, running: { ...t.running }, runningInstances: t.runningInstances, queuedTasks: t.inner.queuedTasks, queuedInstances: t.inner.queuedInstances }));
  }

  enqueue(task: Task, count: number, now: number): void {
    if (!(count > 0)) return;
    const tenant = this.tenant(task.tenant);
    const s = this.tasks.get(task.id);
    if (s) s.pending += count;
    else this.tasks.set(task.id, { task, tenant, pending: count, running: 0 });
    tenant.inner.enqueue(task, count, now);
  }

  pickNext(cluster: ClusterState, now: number): Decision {
    const capacity = cluster.totalCapacity;
    const waiting: Array<{ t: TenantState; key: number }> = [];
    for (const t of this.tenants.values()) if (t.inner.queuedInstances > 0) waiting.push({ t, key: dominantShareOf(t.running, capacity) / t.share.weight });
    if (waiting.length === 0) return IDLE_EMPTY;
    waiting.sort((a, b) => a.key - b.key || (a.t.name < b.t.name ? -1 : a.t.name > b.t.name ? 1 : 0));
    let totalWeight = 0;
    for (const { t } of waiting) totalWeight += t.share.weight;
    // Set once a tenant below its share has work waiting that does not fit: from then on the others may
    // grow only up to their entitlement, so what ends frees room for it (else small tasks of the
    // better-served tenants would refill every gap and its larger ones would starve).
    let protecting = false;
    for (const { t } of waiting) {
      const d = t.inner.pickNext(cluster, now);
      if (d.kind === 'idle') {
        t.blockedSince ??= now;
        if (now - t.blockedSince <= this.protectSeconds) protecting = true;
        continue;
      }
      const s = this.tasks.get(d.taskId);
      if (!s) throw new SchedulingError('UNKNOWN_TASK', `tenant ${t.name}'s policy dispatched unknown task ${d.taskId}`);
      if (!withinRunningQuota(t.running, s.task.request, d.nodeIndexes.length, t.share.quota?.running)) continue;
      if (protecting && !withinEntitlement(t.running, s.task.request, d.nodeIndexes.length, capacity, t.share.weight / totalWeight)) continue;
      return d;
    }
    return IDLE_NOTHING_FITS;
  }

  commit(decision: DispatchDecision, now: number): void {
    const s = this.tasks.get(decision.taskId);
    if (!s) throw new SchedulingError('UNKNOWN_TASK', `commit for task ${decision.taskId} that is not queued`);
    s.tenant.inner.commit(decision, now);
    const n = decision.nodeIndexes.length;
    s.tenant.blockedSince = null;
    s.pending -= n;
    s.running += n;
    s.tenant.runningInstances += n;
    for (const k of RESOURCE_KEYS) s.tenant.running[k] += s.task.request[k] * n;
  }

  onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void {
    const s = this.tasks.get(task.id);
    const tenant = s?.tenant ?? this.tenants.get(task.tenant);
    if (tenant) {
      tenant.runningInstances = Math.max(0, tenant.runningInstances - 1);
      for (const k of RESOURCE_KEYS) tenant.running[k] = Math.max(0, tenant.running[k] - task.request[k]);
      tenant.inner.onInstanceEnd(task, nodeIndex, startedAt, now, ok);
    }
    if (s) {
      s.running = Math.max(0, s.running - 1);
      this.forgetIfIdle(s);
    }
  }

  remove(taskId: string): void {
    const s = this.tasks.get(taskId);
    if (!s) return;
    s.tenant.inner.remove(taskId);
    s.pending = 0;
    this.forgetIfIdle(s);
  }

  private forgetIfIdle(s: TaskState): void {
    if (s.pending <= 0 && s.running <= 0) this.tasks.delete(s.task.id);
  }

  private tenant(name: string): TenantState {
    let t = this.tenants.get(name);
    if (!t) {
      t = { name, share: this.shares[name] ?? this.defaultShare, inner: this.opts.createInner(name), running: { ...ZERO_RESOURCES }, runningInstances: 0, blockedSince: null };
      this.tenants.set(name, t);
    }
    return t;
  }
}

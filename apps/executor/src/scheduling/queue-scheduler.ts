import { ClusterState, FairSharePolicy, RankedPolicy, createPlacement, createPolicy, seededRng, type OrderingPolicy, type RankPosition, type Resources, type Task } from '@kairos/scheduling-core';
import type { RunnableTask } from '../tasks/task.repository';

export interface QueuePolicy {
  policy: string;
  placement: string;
}

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { policy: 'priority', placement: 'least-loaded' };

/** One node as the planner sees it (the executor's LocalNode has these fields). */
export interface PlannerNode {
  readonly id: string;
  readonly cpuMillis: number;
  readonly memMb: number;
  readonly usedCpu: number;
  readonly usedMem: number;
  readonly running: number;
  readonly cordoned: boolean;
  /** GPU devices the node declares and how many running tasks hold (absent: 0, a node without GPUs). */
  readonly gpuCount?: number;
  readonly usedGpu?: number;
}

/**
 * Platform tasks of one queue that share a name, priority and request are the instances of one job,
 * as a trace task's instances are in the simulator: the policy sees one core Task with N pending
 * instances (so sjf-online learns a sibling's run time and MLFQ charges the job's attained service),
 * and each dispatch takes the oldest ready member. A task without a name is a job of its own.
 */
export function groupKeyOf(t: RunnableTask): string {
  if (t.name === null || t.name === '') return `task:${t.id}`;
  const r = t.resources;
  // Tenants never share a job: quotas and fair share count per tenant.
  return `job:${t.tenant}|${t.name}|p${t.priority}|c${r.cpuMillis}|m${r.memMb}|g${r.gpu ?? 0}`;
}

/**
 * May `instances` more instances requesting `request` each start now for `tenant` (its running quota)?
 * The pass asks before it takes a decision; a refused job is parked for the rest of the pass.
 */
export type AdmitDispatch = (tenant: string, request: Resources, instances: number) => boolean;

/** What one instance of a group holds against its tenant's quota. */
export function quotaRequestOf(job: Task, member: RunnableTask): Resources {
  return { ...job.request, gpu: member.resources.gpu ?? 0 };
}

interface Group {
  task: Task;
  /** Ready members (platform task ids), oldest first; the policy holds exactly members.length pending instances. */
  members: RunnableTask[];
}

interface RunningInstance {
  task: Task;
  nodeIndex: number;
  startedAt: number;
}

export interface Assignment {
  taskId: string;
  nodeIndex: number;
  /** Per instance (the job's request). */
  request: Resources;
  /** The platform task and the policy's job it was dispatched as (decision records read them). */
  member: RunnableTask;
  job: Task;
  /** Ready tasks of the queue just before this dispatch. */
  readyBefore: number;
  /** With `explain`, on a dispatch's first instance: its place in a ranked policy's queue and the runner-up's oldest ready member. */
  ordering?: { position: RankPosition; runnerUpTaskId: string | null };
}

const toSeconds = (ms: number): number => ms / 1000;

/**
 * The scheduling state of one queue on the executor that owns it: ONE policy object (libs/scheduling-core,
 * the very class the simulator drives) that lives across passes, over a ready index of every runnable
 * task of the queue (not a created-at window). The executor reconciles the index from PostgreSQL
 * (`sync`), asks for dispatches (`pick`), and reports each claim (`started`/`unclaimed`) and each end
 * (`ended`, with the observed run time) exactly as the simulator does. Times are seconds.
 */
export class QueueScheduler {
  private policyObj: OrderingPolicy;
  private specValue: QueuePolicy;
  private readonly groups = new Map<string, Group>();
  /** Ready task id → its group key. */
  private readonly groupOf = new Map<string, string>();
  /** Dispatched, waiting for the claim to land. */
  private readonly assigned = new Map<string, { task: Task; nodeIndex: number }>();
  private readonly runningNow = new Map<string, RunningInstance>();
  /**
   * Members ever seen per named job (bounded): the job's instance count as the policies' end bookkeeping
   * sees it. An unnamed task is a job of its own: its entry goes when the task leaves (ended, dropped,
   * unclaimed), so a stream of unnamed tasks leaves nothing behind.
   */
  private readonly jobSeen = new Map<string, number>();
  /** Jobs taken out of the policy for the rest of a pass because their tenant is at its running quota. */
  private readonly parked = new Set<string>();
  /** Tenant weights other than 1 (tenant_quotas.weight); when any is set the queue's policy is wrapped in FairSharePolicy. */
  private weights: ReadonlyMap<string, number> = new Map();

  constructor(
    readonly queue: string,
    spec: QueuePolicy,
    private readonly nodeCapacity: Resources,
    private readonly seed = 1,
  ) {
    this.specValue = spec;
    this.policyObj = this.build(spec);
  }

  get spec(): QueuePolicy {
    return this.specValue;
  }

  get policy(): OrderingPolicy {
    return this.policyObj;
  }

  /** Ready (queued, runnable, not yet dispatched) task ids the index holds. */
  get readyCount(): number {
    return this.groupOf.size;
  }

  readyIds(): string[] {
    return [...this.groupOf.keys()];
  }

  /** Tenants with ready work here. */
  readyTenants(): string[] {
    return [...new Set([...this.groups.values()].map((g) => g.task.tenant))];
  }

  /** Whether `taskId` is known here (ready, dispatched or running): a reconcile must not re-add it. */
  knows(taskId: string): boolean {
    return this.groupOf.has(taskId) || this.assigned.has(taskId) || this.runningNow.has(taskId);
  }

  /**
   * Reconciles the index with the queue's complete ready set from PostgreSQL: new tasks are enqueued,
   * tasks that left (cancelled, claimed by another owner during a fail-over) are removed, and a
   * prediction that arrived for a queued job re-ranks it. Tasks dispatched or running here are left alone.
   */
  sync(rows: readonly RunnableTask[], nowMs: number): { added: number; removed: number } {
    const now = toSeconds(nowMs);
    const present = new Set<string>();
    let added = 0;
    let removed = 0;
    const fresh: RunnableTask[] = [];
    for (const r of rows) {
      present.add(r.id);
      if (this.assigned.has(r.id) || this.runningNow.has(r.id)) continue;
      const key = this.groupOf.get(r.id);
      if (key !== undefined) this.refreshPrediction(key, r, now);
      else fresh.push(r);
    }
    // A new job's size (the policies' `instances`) is how many of its members arrived together.
    const batch = new Map<string, number>();
    for (const r of fresh) batch.set(groupKeyOf(r), (batch.get(groupKeyOf(r)) ?? 0) + 1);
    for (const r of [...fresh].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
      this.add(r, now, batch.get(groupKeyOf(r)) ?? 1);
      added++;
    }
    for (const id of [...this.groupOf.keys()]) {
      if (present.has(id)) continue;
      this.drop(id, now);
      removed++;
    }
    return { added, removed };
  }

  /**
   * One dispatch decision of the policy against `cluster` (allocated by the caller), or null when idle.
   * With `admit`, a job it refuses (tenant at its running quota) is parked — taken out of the policy —
   * and the policy asked again, so other tenants' work runs while it waits; `releaseParked` puts the
   * parked jobs back (at the end of the pass).
   */
  pick(cluster: ClusterState, nowMs: number, explain = false, admit?: AdmitDispatch): Assignment[] | null {
    const now = toSeconds(nowMs);
    let d = this.policyObj.pickNext(cluster, now);
    while (d.kind === 'dispatch' && admit) {
      const g = this.groups.get(d.taskId);
      if (!g || !g.members.length || admit(g.task.tenant, quotaRequestOf(g.task, g.members[0]), d.nodeIndexes.length)) break;
      this.parked.add(d.taskId);
      this.policyObj.remove(d.taskId);
      d = this.policyObj.pickNext(cluster, now);
    }
    if (d.kind !== 'dispatch') return null;
    const g = this.groups.get(d.taskId);
    if (!g || g.members.length < d.nodeIndexes.length) throw new Error(`queue ${this.queue}: policy ${this.specValue.policy} dispatched ${d.taskId}, which has no ready member`);
    // Before commit (which may take the entry off the index). Only ranked policies expose a rank.
    const position = explain && this.policyObj instanceof RankedPolicy ? this.policyObj.rankOf(d.taskId) : null;
    this.policyObj.commit(d, now);
    const readyBefore = this.groupOf.size;
    const out: Assignment[] = [];
    for (const nodeIndex of d.nodeIndexes) {
      const m = g.members.shift()!;
      this.groupOf.delete(m.id);
      this.assigned.set(m.id, { task: g.task, nodeIndex });
      const ordering = position && !out.length ? { position, runnerUpTaskId: position.other ? (this.groups.get(position.other.taskId)?.members[0]?.id ?? null) : null } : undefined;
      out.push({ taskId: m.id, nodeIndex, request: g.task.request, member: m, job: g.task, readyBefore, ...(ordering ? { ordering } : {}) });
    }
    if (g.members.length === 0) this.groups.delete(d.taskId);
    return out;
  }

  /** Jobs parked in this pass (their tenant at its running quota). */
  get parkedCount(): number {
    return this.parked.size;
  }

  /** Puts the jobs parked during a pass back into the policy with their ready members (call once the pass is over). */
  releaseParked(nowMs: number): void {
    const now = toSeconds(nowMs);
    for (const key of this.parked) {
      const g = this.groups.get(key);
      if (g && g.members.length > 0) this.policyObj.enqueue(g.task, g.members.length, now);
    }
    this.parked.clear();
  }

  /** The claim of a dispatched task landed: it runs from `startedAtMs` (the policy already counted it in commit). */
  started(taskId: string, startedAtMs: number): void {
    const a = this.assigned.get(taskId);
    if (!a) return;
    this.assigned.delete(taskId);
    this.runningNow.set(taskId, { task: a.task, nodeIndex: a.nodeIndex, startedAt: toSeconds(startedAtMs) });
  }

  /** The claim did not land (taken or cancelled meanwhile): forget it; if it is still ready the next sync re-adds it. */
  unclaimed(taskId: string): void {
    const a = this.assigned.get(taskId);
    this.assigned.delete(taskId);
    if (a) this.forgetSolo(a.task.id);
  }

  /** Jobs whose members-seen count is remembered (tests read it: bounded, none for finished unnamed tasks). */
  get rememberedJobs(): number {
    return this.jobSeen.size;
  }

  /** An attempt ended (ok = succeeded; failures, timeouts and losses are not ok): the policy hears the observed run time. */
  ended(taskId: string, nowMs: number, ok: boolean, runMs: number | null = null): boolean {
    const r = this.runningNow.get(taskId);
    if (!r) return false;
    this.runningNow.delete(taskId);
    const now = toSeconds(nowMs);
    // A job's members arrive over time live (the simulator knows all instances at arrival): report the
    // end with every member seen so far, so a policy does not forget the job's observed run time
    // (sjf-online drops it once all `instances` ended) while more of its members are still coming.
    const seen = this.jobSeen.get(r.task.id) ?? r.task.instances;
    const task = seen > r.task.instances ? { ...r.task, instances: seen } : r.task;
    // The runner's measured run time when known (exact even if the end is read back late), else wall time since the claim.
    const startedAt = runMs !== null && runMs >= 0 ? now - runMs / 1000 : r.startedAt;
    this.policyObj.onInstanceEnd(task, r.nodeIndex, startedAt, now, ok);
    this.forgetSolo(r.task.id);
    return true;
  }

  /**
   * Switches the queue's policy at run time: a new policy object is built and every ready task is
   * enqueued into it (nothing queued is dropped); what the old policy learnt is not carried over.
   */
  switchPolicy(spec: QueuePolicy, nowMs: number): void {
    if (spec.policy === this.specValue.policy && spec.placement === this.specValue.placement) return;
    this.specValue = spec;
    this.rebuild(nowMs);
  }

  /**
   * Sets the tenants' fair-share weights (tenants not named weigh 1). With any weight other than 1 the
   * queue's policy becomes weighted DRF between tenants (FairSharePolicy, the simulator's class) over
   * one instance of the queue's policy per tenant; with none it stays the plain policy (and keeps its
   * ordering decision records). A change rebuilds the policy object like switchPolicy: ready work is
   * re-enqueued, learnt state and the wrapper's running shares start afresh.
   */
  setTenantWeights(weights: ReadonlyMap<string, number>, nowMs: number): void {
    const next = new Map([...weights].filter(([, w]) => w !== 1).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (JSON.stringify([...next]) === JSON.stringify([...this.weights])) return;
    this.weights = next;
    this.rebuild(nowMs);
  }

  /** Whether tenants are weighted (the policy is a FairSharePolicy). */
  get fairShare(): boolean {
    return this.policyObj instanceof FairSharePolicy;
  }

  private rebuild(nowMs: number): void {
    const now = toSeconds(nowMs);
    this.policyObj = this.build(this.specValue);
    for (const [key, g] of this.groups) if (!this.parked.has(key)) this.policyObj.enqueue(g.task, g.members.length, now);
  }

  private build(spec: QueuePolicy): OrderingPolicy {
    const inner = () => createPolicy(spec.policy, { placement: createPlacement(spec.placement), rng: seededRng(this.seed), nodeCapacity: this.nodeCapacity });
    if (!this.weights.size) return inner();
    // Weights only: running quotas are enforced cluster-wide by the pass (TenantRunningLedger).
    return new FairSharePolicy({ createInner: inner, tenants: Object.fromEntries([...this.weights].map(([t, weight]) => [t, { weight }])), name: spec.policy });
  }

  private add(r: RunnableTask, now: number, jobSize: number): void {
    const key = groupKeyOf(r);
    const g = this.groups.get(key);
    this.groupOf.set(r.id, key);
    const seen = (this.jobSeen.get(key) ?? 0) + 1;
    this.jobSeen.delete(key); // re-inserted: most recently active last
    this.jobSeen.set(key, seen);
    if (this.jobSeen.size > 100_000) this.jobSeen.delete(this.jobSeen.keys().next().value!);
    if (g) {
      g.members.push(r);
      this.policyObj.enqueue(g.task, 1, now);
      this.refreshPrediction(key, r, now);
      return;
    }
    const task = toCoreTask(key, r, jobSize);
    this.groups.set(key, { task, members: [r] });
    this.policyObj.enqueue(task, 1, now);
  }

  private drop(taskId: string, now: number): void {
    const key = this.groupOf.get(taskId)!;
    this.groupOf.delete(taskId);
    const g = this.groups.get(key);
    if (!g) return;
    g.members = g.members.filter((m) => m.id !== taskId);
    this.policyObj.remove(key);
    if (g.members.length === 0) {
      this.groups.delete(key);
      this.forgetSolo(key);
    } else this.policyObj.enqueue(g.task, g.members.length, now);
  }

  /** An unnamed task's job (`task:<id>`) has one member: once it left, nothing is left to count. */
  private forgetSolo(key: string): void {
    if (key.startsWith('task:')) this.jobSeen.delete(key);
  }

  /** The analyzer's estimate arrived after the job was queued: rank it with the estimate from now on. */
  private refreshPrediction(key: string, r: RunnableTask, now: number): void {
    const g = this.groups.get(key);
    if (!g || r.predictedP50Ms === null || g.task.duration.predicted !== undefined) return;
    g.task = { ...g.task, duration: { ...g.task.duration, predicted: r.predictedP50Ms / 1000 } };
    this.policyObj.remove(key);
    this.policyObj.enqueue(g.task, g.members.length, now);
  }
}

function toCoreTask(key: string, t: RunnableTask, instances: number): Task {
  return {
    id: key,
    jobId: t.name ?? t.id,
    tenant: t.tenant,
    priority: t.priority,
    request: { cpuMillis: t.resources.cpuMillis, memMb: t.resources.memMb, gpu: t.resources.gpu ?? 0, io: 0, net: 0 },
    duration: t.predictedP50Ms !== null ? { predicted: t.predictedP50Ms / 1000 } : {},
    arrival: t.createdAt.getTime() / 1000,
    instances: Math.max(1, instances),
    gang: false,
  };
}

/** A ClusterState of the executor's nodes with what already runs on them allocated; full or cordoned nodes are down. */
export function clusterOf(nodes: readonly PlannerNode[], maxPerNode: number): ClusterState {
  const cluster = new ClusterState(nodes.map((n) => ({ id: n.id, capacity: { cpuMillis: n.cpuMillis, memMb: n.memMb, gpu: n.gpuCount ?? 0, io: 0, net: 0 } })));
  nodes.forEach((n, i) => {
    const usedGpu = Math.min(n.usedGpu ?? 0, n.gpuCount ?? 0);
    if (n.usedCpu > 0 || n.usedMem > 0 || usedGpu > 0) cluster.allocate(i, { cpuMillis: Math.min(n.usedCpu, n.cpuMillis), memMb: Math.min(n.usedMem, n.memMb), gpu: usedGpu, io: 0, net: 0 });
    if (n.cordoned || n.running >= maxPerNode) cluster.setUp(i, false);
  });
  return cluster;
}

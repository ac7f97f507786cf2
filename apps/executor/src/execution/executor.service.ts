import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { makeEnvelope, type DecisionRecord, type Envelope, type RunSpec } from '@kairos/contracts';
import { CLOCK, ConfigError, type Clock } from '@kairos/platform';
import { GpuDevicePool, LatencyWindow, POLICY_NAMES, TenantRunningLedger, UNLIMITED_TENANT, type TenantLimits } from '@kairos/scheduling-core';
import { APP_IDENTITY, BUS_CLIENT, KAIROS_METRICS, OutboxRelayService, type AppIdentity, type KairosMetrics } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { localNodesFromConfig, type LocalNode } from '../nodes/local-nodes';
import { nodeSamples } from '../nodes/node-samples';
import type { ProcessIdentity } from '../runners/process-group.reaper';
import { attemptOutcomeOf, RUNNERS, type RunResult, type TaskRunner } from '../runners/runner.port';
import { DEFAULT_QUEUE_POLICY, planPass, type QueuePolicy } from '../scheduling/plan-assignments';
import { QueueScheduler, type PlannerNode } from '../scheduling/queue-scheduler';
import { TASK_REPOSITORY, type ClaimedTask, type CompletionPlan, type RecoveredTask, type RunnableTask, type TaskRepository } from '../tasks/task.repository';
import { DecisionBuffer } from './decision-buffer';
import { DECISION_REPOSITORY, type DecisionRepository } from './decision.repository';
import { allocationDecisionRecord, failoverDecisionRecord, retryDecisionRecord } from './outcome-decisions';
import { NODE_REPOSITORY, type ClusterNode, type NodeRepository } from './node.repository';
import { ORPHAN_GUARD, type OrphanGuard } from './orphan-guard';
import { QUEUE_OWNER_REPOSITORY, type QueueOwnerRepository } from './queue-owner.repository';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository } from './queue-policy.repository';
import { RESOURCE_SAMPLER, type ResourceSampler } from './resource-sampler';
import { TENANT_USAGE_REPOSITORY, type TenantUsageRepository } from './tenant-usage.repository';
import { NODE_AGENT, type NodeAgent } from '../nodes/node-agent.service';

interface RunningTask {
  task: ClaimedTask;
  abort: AbortController;
  pid: number | null;
  /** The attempt's process group (shell), once the runner reported it. */
  group: ProcessIdentity | null;
  done: Promise<void>;
  /** Set when a restart_runner repair stopped it: the attempt is requeued, not recorded as cancelled. */
  restarting?: string;
  /** The GPU devices of its node the attempt holds (lowest free first), once allocated. */
  gpuDevices?: readonly number[];
}

/** An attempt stopped (cancelled, or its executor stopping) while it waited for its run_after. */
class AttemptCancelled extends Error {}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const gpuLease = (task: ClaimedTask): string => `${task.id}#${task.attempt}`;
/** How often an attempt whose GPUs are still held by an ending attempt on its node looks again. */
const GPU_WAIT_POLL_MS = 100;

/**
 * One executor process: registers its nodes; owns some queues (queue_owners lease) and keeps, per owned
 * queue, one persistent policy object over the queue's whole ready index, dispatching its tasks onto
 * any live node of the cluster (claims fenced on the ownership; PostgreSQL row locks keep them
 * exclusive); runs what is dispatched to its own nodes, records each attempt, feeds each attempt's
 * observed run time back to the owning policy, renews leases, recovers tasks whose executor died, and
 * samples resource use of what it runs. See docs/architecture.md, "Live scheduling state".
 */
@Injectable()
export class ExecutorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly nodes: LocalNode[];
  private readonly logger: AppIdentity['logger'];
  private readonly running = new Map<string, RunningTask>();
  private readonly timers: NodeJS.Timeout[] = [];
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  /** A pass armed for when the next not-yet-due queued task comes within CLAIM_AHEAD_MS of its run_after. */
  private dueTimer: { at: number; timer: NodeJS.Timeout } | null = null;
  private stopped = true;
  readonly defaultPolicy: QueuePolicy;
  /** Wall time of each scheduling decision (policy ordering + placement over the runnable candidates). */
  readonly decisionLatency = new LatencyWindow();
  /** Per node, the last restart_runner mark (ms) acted on. */
  private readonly restartsSeen = new Map<string, number>();
  private policyCache: { at: number; map: Map<string, QueuePolicy & { maxConcurrent: number | null }> } | null = null;
  /** Per owned queue: its persistent scheduling state (policy object + ready index). */
  private readonly schedulers = new Map<string, QueueScheduler>();
  private ownedQueues: string[] = [];
  /** performance.now() of the last ownership round; passes run one every min(1 s, LEASE_MS/3). */
  private lastOwnershipRound = -Infinity;
  /** Attempts this executor dispatched as a queue owner and has not yet seen end: task id → queue, attempt. */
  private readonly dispatched = new Map<string, { queue: string; attempt: number }>();
  /** Retry, fail-over and repair decision records: written in batches on a timer, off the paths that decide them. */
  private readonly outcomeDecisions: DecisionBuffer | null;
  /** Cluster nodes in first-seen order: a node keeps its index in the policies' ClusterState for the process's life. */
  private readonly nodeOrder = new Map<string, PlannerNode & { executorId: string }>();
  /**
   * Which GPU devices of this executor's nodes (index as in `nodes`) each running attempt holds (lease
   * `taskId#attempt`). Empty at start: a restart requeues every attempt this executor id was running
   * (recoverOwnLeases, after the orphan sweep killed them), so no device is held by a survivor.
   */
  private readonly gpuPool: GpuDevicePool;

  constructor(
    @Inject(TASK_REPOSITORY) readonly repo: TaskRepository,
    @Inject(NODE_REPOSITORY) private readonly nodeRows: NodeRepository,
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly queueRows: QueuePolicyRepository,
    @Inject(QUEUE_OWNER_REPOSITORY) private readonly owners: QueueOwnerRepository,
    @Inject(RUNNERS) private readonly runners: ReadonlyMap<RunSpec['kind'], TaskRunner>,
    @Inject(RESOURCE_SAMPLER) private readonly sampler: ResourceSampler,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EXECUTOR_SETTINGS) private readonly settings: ExecutorSettings,
    @Inject(APP_IDENTITY) id: AppIdentity,
    @Inject(ORPHAN_GUARD) private readonly orphans: Pick<OrphanGuard, 'sweep' | 'clearBefore' | 'started' | 'ended' | 'stop'>,
    @Optional() @Inject(KAIROS_METRICS) private readonly metrics?: KairosMetrics,
    @Optional() @Inject(NODE_AGENT) private readonly agent?: NodeAgent,
    @Optional() @Inject(DECISION_REPOSITORY) private readonly decisionRows?: DecisionRepository,
    @Optional() @Inject(TENANT_USAGE_REPOSITORY) private readonly tenantRows?: TenantUsageRepository,
  ) {
    this.logger = id.logger;
    this.nodes = localNodesFromConfig(settings.nodes, settings.executorId);
    this.gpuPool = new GpuDevicePool(this.nodes.map((n) => n.gpus?.devices ?? []));
    if (!(POLICY_NAMES as readonly string[]).includes(settings.schedulerPolicy)) {
      throw new ConfigError(`SCHEDULER_POLICY="${settings.schedulerPolicy}": unknown policy (known: ${POLICY_NAMES.join(', ')})`);
    }
    this.defaultPolicy = { policy: settings.schedulerPolicy, placement: DEFAULT_QUEUE_POLICY.placement };
    const rows = decisionRows;
    this.outcomeDecisions =
      rows && settings.recordDecisions
        ? new DecisionBuffer({ write: (r) => rows.insertMany(r), onError: (err, n) => this.logger.warn({ err, records: n }, 'writing decision records failed; these are lost') })
        : null;
  }

  /** Records a decision made outside a scheduling pass (retry, fail-over, repair); a no-op with recording off. */
  recordDecision(record: DecisionRecord): void {
    this.outcomeDecisions?.push(record);
  }

  private recordFailovers(recovered: readonly RecoveredTask[]): void {
    if (!this.outcomeDecisions) return;
    const at = new Date(this.clock.now());
    for (const r of recovered) {
      if (r.nodeId === null) continue;
      this.outcomeDecisions.push(
        failoverDecisionRecord({ decisionId: randomUUID(), at, taskId: r.id, nodeId: r.nodeId, attempt: r.attempt, leaseOwner: r.leaseOwner, lostCount: r.lostCount, next: r.status, reason: r.reason }),
      );
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    // Before anything is claimed: kill what a dead executor on this host left running, so no retry
    // here overlaps it.
    await this.orphans.sweep();
    this.stopped = false;
    const orphaned = await this.repo.recoverOwnLeases();
    this.recordFailovers(orphaned);
    if (orphaned.length) this.logger.warn({ recovered: orphaned.length }, 'requeued the attempts this executor id was running before it restarted');
    await this.heartbeat();
    const { heartbeatMs, leaseMs, metricsSampleMs } = this.settings;
    this.every(250, () => this.kick());
    this.every(heartbeatMs, () => this.heartbeat());
    this.every(Math.max(200, Math.floor(leaseMs / 3)), () => this.maintainLeases());
    await this.acquireQueues();
    this.every(metricsSampleMs, () => this.sampleResources());
    if (this.decisionRows) {
      this.pruneDecisions().catch((err) => this.logger.warn({ err }, 'pruning scheduling decision records failed'));
      this.every(3_600_000, () => this.pruneDecisions());
    }
    this.kick();
  }

  private onCommit(): void {
    this.relay.kick();
  }

  /** Schedule now (new work or freed capacity); concurrent requests coalesce. */
  kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.scheduleOnce()
      .catch((err) => this.logger.error({ err }, 'scheduling pass failed'))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
  }

  /**
   * One ownership round (every LEASE_MS/3): renew the queues this executor owns and take those without a
   * live owner. A queue lost (lease expired while this process stalled) drops its state here; the new
   * owner rebuilds it from the ready index.
   */
  async acquireQueues(): Promise<string[]> {
    this.lastOwnershipRound = performance.now();
    const owned = await this.owners.acquire(this.settings.executorId, this.settings.leaseMs);
    const gained = owned.filter((q) => !this.ownedQueues.includes(q));
    for (const q of this.ownedQueues) {
      if (owned.includes(q)) continue;
      this.logger.warn({ queue: q }, 'lost ownership of queue; its scheduling state is dropped');
      this.schedulers.delete(q);
      for (const [id, d] of this.dispatched) if (d.queue === q) this.dispatched.delete(id);
    }
    this.ownedQueues = owned;
    if (gained.length) {
      this.logger.info({ queues: gained }, 'owning queues');
      this.kick();
    }
    return owned;
  }

  /** Queues this executor owns (their order is decided here, cluster-wide). */
  queueStates(): Array<{ queue: string; policy: string; placement: string; ready: number; queuedInstances: number }> {
    return [...this.schedulers.values()].map((s) => ({ queue: s.queue, policy: s.spec.policy, placement: s.spec.placement, ready: s.readyCount, queuedInstances: s.policy.queuedInstances }));
  }

  /** The persistent scheduling state of an owned queue (tests and the status endpoint read it). */
  schedulerOf(queue: string): QueueScheduler | undefined {
    return this.schedulers.get(queue);
  }

  async scheduleOnce(): Promise<void> {
    const roundMs = Math.min(1000, Math.max(200, this.settings.leaseMs / 3));
    if (!this.ownedQueues.length || performance.now() - this.lastOwnershipRound >= roundMs) await this.acquireQueues();
    await this.adoptDispatched();
    if (!this.ownedQueues.length) return;
    const owned = this.ownedQueues;
    const [policies, view, due, limits] = await Promise.all([
      this.queuePolicies(),
      this.nodeRows.clusterView(this.settings.heartbeatMs * 3),
      this.repo.listDue(owned, this.settings.claimAheadMs),
      this.tenantRows?.limits() ?? Promise.resolve(new Map<string, TenantLimits>()),
    ]);
    const ready = due.ready;
    this.armDueTimer(due.nextRunAfterMs);
    await this.observeEnds();
    const nodes = this.plannerNodes(view);
    if (!nodes.length) return;
    const now = this.clock.now();
    const byQueue = new Map<string, RunnableTask[]>();
    // Push, not spread: a copy per task made each pass quadratic in the backlog (a queue that fell behind never caught up).
    for (const t of ready) {
      const list = byQueue.get(t.queue);
      if (list === undefined) byQueue.set(t.queue, [t]);
      else list.push(t);
    }
    const capacity = { cpuMillis: Math.max(...nodes.map((n) => n.cpuMillis)), memMb: Math.max(...nodes.map((n) => n.memMb)), gpu: Math.max(...nodes.map((n) => n.gpuCount ?? 0)), io: 0, net: 0 };
    const weights = new Map([...limits].map(([t, l]) => [t, l.weight]));
    for (const q of owned) {
      const spec = policies.get(q) ?? this.defaultPolicy;
      let s = this.schedulers.get(q);
      if (!s) this.schedulers.set(q, (s = new QueueScheduler(q, { policy: spec.policy, placement: spec.placement }, capacity)));
      else s.switchPolicy({ policy: spec.policy, placement: spec.placement }, now);
      s.setTenantWeights(weights, now);
      s.sync(byQueue.get(q) ?? [], now);
    }
    const active = owned.map((q) => this.schedulers.get(q)!).filter((s) => s.readyCount > 0);
    if (!active.length) return;
    const [remaining, tenants] = await Promise.all([this.queueHeadroom(policies), this.tenantLedger(active, limits)]);
    // Records are built in the (pure) pass and written after the claim, for the claimed tasks only.
    const decisions: DecisionRecord[] | undefined = this.decisionRows && this.settings.recordDecisions ? [] : undefined;
    const decidedFrom = performance.now();
    const assignments = planPass(active, nodes, this.settings.slotsPerNode, now, (q) => remaining.get(q) ?? Infinity, decisions, tenants);
    const decisionMs = performance.now() - decidedFrom;
    this.decisionLatency.record(decisionMs);
    this.metrics?.decisionSeconds.observe({ policy: this.defaultPolicy.policy }, decisionMs / 1000);
    if (!assignments.length) return;
    let claimed: ClaimedTask[] = [];
    const claimFrom = performance.now();
    try {
      claimed = await this.repo.claim(
        assignments.map((a) => ({ taskId: a.taskId, nodeId: a.nodeId, executorId: this.nodeOrder.get(a.nodeId)?.executorId ?? this.settings.executorId })),
        { fenced: true },
      );
    } finally {
      this.metrics?.claimSeconds.observe((performance.now() - claimFrom) / 1000);
      // Every dispatch was committed to its policy: report each claim's outcome back, even when the claim failed.
      const got = new Map(claimed.map((c) => [c.id, c]));
      const startedAt = this.clock.now();
      for (const a of assignments) {
        const s = this.schedulers.get(a.queue);
        const c = got.get(a.taskId);
        if (!c) {
          s?.unclaimed(a.taskId);
          continue;
        }
        s?.started(a.taskId, startedAt);
        this.dispatched.set(a.taskId, { queue: a.queue, attempt: c.attempt });
      }
    }
    if (claimed.length) this.onCommit();
    for (const task of claimed) if (task.leaseOwner === this.settings.executorId) this.launch(task);
    if (decisions?.length && claimed.length) await this.writeDecisions(decisions, new Set(claimed.map((c) => c.id)));
  }

  /** Passes again when the next queued task comes within CLAIM_AHEAD_MS of its run_after (a schedule's tick written ahead, a retry's back-off). */
  private armDueTimer(nextRunAfterMs: number | null): void {
    if (nextRunAfterMs === null || this.stopped) return;
    const at = nextRunAfterMs - this.settings.claimAheadMs;
    if (this.dueTimer !== null && this.dueTimer.at <= at) return;
    if (this.dueTimer !== null) clearTimeout(this.dueTimer.timer);
    const timer = setTimeout(() => {
      this.dueTimer = null;
      this.kick();
    }, Math.max(0, at - this.clock.now()));
    this.dueTimer = { at, timer };
  }

  /** One multi-row insert per pass, after the claim and the launches; a failed write is logged, never fails the pass. */
  private async writeDecisions(decisions: readonly DecisionRecord[], claimedIds: ReadonlySet<string>): Promise<void> {
    const kept = decisions.filter((d) => d.taskId !== null && claimedIds.has(d.taskId));
    if (!kept.length || !this.decisionRows) return;
    await this.decisionRows.insertMany(kept).catch((err) => this.logger.warn({ err, records: kept.length }, 'writing scheduling decision records failed; these are lost'));
  }

  /** Retention: records older than DECISIONS_RETENTION_DAYS go (hourly, and once at start). */
  async pruneDecisions(): Promise<number> {
    if (!this.decisionRows) return 0;
    const cutoff = new Date(this.clock.now() - this.settings.decisionsRetentionDays * 86_400_000);
    const n = await this.decisionRows.deleteOlderThan(cutoff);
    if (n) this.logger.info({ deleted: n, cutoff }, 'pruned scheduling decision records');
    return n;
  }

  /** Runs what queue owners (other executors, or this one in an earlier pass) dispatched to this executor's nodes. */
  private async adoptDispatched(): Promise<void> {
    const mine = await this.repo.adopt([...this.running.keys()]);
    for (const task of mine) {
      if (this.running.has(task.id) || !this.nodes.some((n) => n.id === task.nodeId)) continue;
      this.launch(task);
    }
  }

  /** Attempts this owner dispatched to other executors that ended since: their policies hear the observed run time. */
  private async observeEnds(): Promise<void> {
    const remote = [...this.dispatched.entries()].filter(([id]) => !this.running.has(id));
    if (!remote.length) return;
    const ended = await this.repo.endedAttempts(remote.map(([taskId, d]) => ({ taskId, attempt: d.attempt })));
    const now = this.clock.now();
    for (const e of ended) this.reportEnd(e.taskId, e.attempt, e.status === 'succeeded', e.durationMs, now);
  }

  private reportEnd(taskId: string, attempt: number, ok: boolean, runMs: number | null, nowMs: number): void {
    const d = this.dispatched.get(taskId);
    if (!d || d.attempt !== attempt) return;
    this.dispatched.delete(taskId);
    this.schedulers.get(d.queue)?.ended(taskId, nowMs, ok, runMs);
  }

  /** The cluster's live nodes in stable index order (this executor's own always present); a node that vanished stays in place, down. */
  private plannerNodes(view: ClusterNode[]): PlannerNode[] {
    const seen = new Set<string>();
    const own = this.nodes
      .map((n, i) => ({ n, gpus: this.gpuPool.node(i) }))
      .filter(({ n }) => !view.some((v) => v.id === n.id))
      .map(({ n, gpus }): ClusterNode => ({ ...n, executorId: this.settings.executorId, gpuCount: gpus.total, usedGpu: gpus.total - gpus.free }));
    for (const n of [...view, ...own]) {
      seen.add(n.id);
      this.nodeOrder.set(n.id, { id: n.id, executorId: n.executorId, cpuMillis: n.cpuMillis, memMb: n.memMb, usedCpu: n.usedCpu, usedMem: n.usedMem, running: n.running, cordoned: n.cordoned, gpuCount: n.gpuCount, usedGpu: n.usedGpu });
    }
    if (!seen.size) return [];
    return [...this.nodeOrder.values()].map((n) => (seen.has(n.id) ? n : { ...n, cordoned: true }));
  }

  private launch(task: ClaimedTask): void {
    const node = this.nodes.find((n) => n.id === task.nodeId)!;
    node.usedCpu += task.resources.cpuMillis;
    node.usedMem += task.resources.memMb;
    node.running += 1;
    const abort = new AbortController();
    const entry: RunningTask = { task, abort, pid: null, group: null, done: Promise.resolve() };
    this.running.set(task.id, entry);
    entry.done = this.execute(task, entry).finally(() => {
      // Whatever the outcome (succeeded, failed, timed out, cancelled, lease lost, runner crash).
      this.gpuPool.node(this.nodes.indexOf(node)).release(gpuLease(task));
      node.usedCpu -= task.resources.cpuMillis;
      node.usedMem -= task.resources.memMb;
      node.running -= 1;
      this.running.delete(task.id);
      this.kick();
    });
  }

  private async execute(task: ClaimedTask, entry: RunningTask): Promise<void> {
    const log = this.logger.child({ taskId: task.id, attempt: task.attempt, nodeId: task.nodeId });
    // Claimed ahead of its run_after (CLAIM_AHEAD_MS): start at that instant, and record the real start.
    const waitMs = task.runAfter ? task.runAfter.getTime() - this.clock.now() : 0;
    const waited = waitMs > 0 && (await abortableDelay(waitMs, entry.abort.signal));
    const startedAtMs = waitMs > 0 ? this.clock.now() : null;
    const started = performance.now();
    let result: RunResult;
    const runner = this.runners.get(task.run.kind);
    try {
      if (!runner) throw new Error(`no runner for kind ${task.run.kind}`);
      if (waitMs > 0 && !waited) throw new AttemptCancelled('cancelled before its run_after');
      // A retry on this host starts only once what an earlier attempt left here is gone.
      const blocked = task.attempt > 1 ? await this.orphans.clearBefore(task.id, task.attempt) : null;
      const noGpus = blocked ? null : await this.takeGpus(task, entry);
      if (blocked) {
        result = { outcome: 'failed', exitCode: null, outputTail: '', error: blocked };
      } else if (noGpus) {
        result = noGpus;
      } else {
        result = await runner.run(task.run as never, {
          taskId: task.id,
          attempt: task.attempt,
          timeoutMs: task.timeoutMs,
          outputTailBytes: this.settings.outputTailBytes,
          signal: entry.abort.signal,
          // Always set (empty for a CPU task), so a task sees exactly the GPUs it was given.
          gpuDevices: entry.gpuDevices ?? [],
          onPid: (pid) => (entry.pid = pid),
          onProcess: (group) => {
            entry.group = group;
            this.orphans.started(task.id, task.attempt, group);
          },
        });
        // The runner killed and reaped the attempt's group before returning.
        if (entry.group) void this.orphans.ended(task.id, task.attempt, entry.group, result.outcome);
      }
    } catch (err) {
      result =
        err instanceof AttemptCancelled
          ? { outcome: 'cancelled', exitCode: null, outputTail: '', error: err.message }
          : { outcome: 'failed', exitCode: null, outputTail: '', error: `runner crashed: ${(err as Error).message}` };
    }
    const durationMs = Math.round(performance.now() - started);
    // Aborted by our own shutdown: leave the attempt to lease recovery, which requeues it elsewhere.
    if (this.stopped && result.outcome === 'cancelled') return;
    if (entry.restarting && result.outcome === 'cancelled') {
      // If this fails the lease expires and recovery requeues the task the same way.
      const status = await this.repo.requeueRestarted(task, entry.restarting).catch((err) => log.warn({ err }, 'requeue after restart failed; lease recovery will'));
      if (status) this.onCommit();
      log.warn({ status }, 'attempt restarted by repair');
      return;
    }
    // Persisting the outcome must not be lost to a passing database error: retry until it lands or
    // the lease is gone (then recovery owns the task).
    for (let i = 0; ; i++) {
      try {
        let plan: CompletionPlan | null = null;
        const status = await this.repo.completeAttempt(task, { ...result, durationMs, startedAtMs }, (p) => (plan = p));
        if (status !== null && plan) this.recordRetry(task, result, plan);
        this.reportEnd(task.id, task.attempt, result.outcome === 'succeeded', durationMs, this.clock.now());
        if (status === null) log.warn('lease lost before completion; outcome recorded as abandoned');
        else log.debug({ status, durationMs }, 'attempt finished');
        this.metrics?.completions.inc({ queue: task.queue, runner: task.run.kind, outcome: status === null ? 'lost' : result.outcome });
        this.onCommit();
        return;
      } catch (err) {
        log.warn({ err, try: i + 1 }, 'recording attempt outcome failed; retrying');
        if (this.stopped || i > 20) {
          log.error({ err }, 'could not record attempt outcome; lease recovery will retry the task');
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** i)));
      }
    }
  }

  /**
   * Gives the attempt `resources.gpu` devices of its node (lowest free first); null when done, else the
   * attempt's result (failed, or cancelled when stopped while waiting). The queue owner placed it against the node's free GPU count (running tasks' requests in the
   * database), so devices are normally free at once; an attempt whose row ended while its process is
   * still being stopped holds them a little longer: wait for it (bounded by the task's timeout).
   */
  private async takeGpus(task: ClaimedTask, entry: RunningTask): Promise<RunResult | null> {
    const want = task.resources.gpu ?? 0;
    const devices = this.gpuPool.node(this.nodes.findIndex((n) => n.id === task.nodeId));
    const failed = (error: string): RunResult => ({ outcome: 'failed', exitCode: null, outputTail: '', error });
    if (want > devices.total) return failed(`the task requests ${want} GPU(s); node ${task.nodeId} has ${devices.total}`);
    const from = performance.now();
    const deadline = from + task.timeoutMs;
    for (;;) {
      const freeBefore = this.outcomeDecisions ? devices.freeDevices() : [];
      const got = devices.allocate(gpuLease(task), want);
      if (got) {
        entry.gpuDevices = got;
        this.recordAllocation(task, devices.all, freeBefore, got, performance.now() - from);
        return null;
      }
      if (entry.abort.signal.aborted || this.stopped) return { outcome: 'cancelled', exitCode: null, outputTail: '', error: `stopped while waiting for ${want} GPU device(s) on node ${task.nodeId}` };
      if (performance.now() >= deadline) return failed(`${want} GPU device(s) of node ${task.nodeId} were not free within the task's timeout`);
      await new Promise((r) => setTimeout(r, GPU_WAIT_POLL_MS));
    }
  }

  /**
   * The grant of an attempt starting on this executor's node: its CPU and memory requests against the
   * node's free capacity before it (launch() has already counted them) and the GPU devices it was given
   * among the free ones. Buffered like the retry records: written in batches, off the claim path.
   */
  private recordAllocation(task: ClaimedTask, devices: readonly number[], freeBefore: readonly number[], granted: readonly number[], waitedMs: number): void {
    if (!this.outcomeDecisions) return;
    const node = this.nodes.find((n) => n.id === task.nodeId);
    if (!node) return;
    this.outcomeDecisions.push(
      allocationDecisionRecord({
        decisionId: randomUUID(),
        at: new Date(this.clock.now()),
        taskId: task.id,
        nodeId: task.nodeId,
        workflowRunId: task.workflowRunId,
        attempt: task.attempt,
        requested: { cpuMillis: task.resources.cpuMillis, memMb: task.resources.memMb, gpu: task.resources.gpu ?? 0 },
        nodeFree: { cpuMillis: node.cpuMillis - node.usedCpu + task.resources.cpuMillis, memMb: node.memMb - node.usedMem + task.resources.memMb, gpu: freeBefore.length },
        nodeCapacity: { cpuMillis: node.cpuMillis, memMb: node.memMb, gpu: devices.length },
        devices,
        freeDevices: freeBefore,
        granted,
        waitedMs,
      }),
    );
  }

  /** After a failed attempt: the retry-or-fail decision, with attempts used and the back-off drawn. */
  private recordRetry(task: ClaimedTask, result: RunResult, plan: CompletionPlan): void {
    const outcome = attemptOutcomeOf(result);
    if (!this.outcomeDecisions || (outcome !== 'failed' && outcome !== 'timed_out' && outcome !== 'oom_killed')) return;
    this.outcomeDecisions.push(
      retryDecisionRecord({
        decisionId: randomUUID(),
        at: new Date(this.clock.now()),
        taskId: task.id,
        nodeId: task.nodeId,
        workflowRunId: task.workflowRunId,
        attempt: task.attempt,
        chargedAttempts: plan.chargedAttempts,
        maxAttempts: task.maxAttempts,
        outcome,
        exitCode: result.exitCode,
        error: result.error,
        next: plan.next,
        backoffMs: plan.delayMs,
      }),
    );
  }

  /** restart_runner: stop every attempt running on the node; execute() requeues each as it ends. */
  private restartNode(nodeId: string): void {
    const victims = [...this.running.values()].filter((r) => r.task.nodeId === nodeId);
    this.logger.warn({ nodeId, attempts: victims.length }, 'restarting the node runner (repair)');
    for (const r of victims) {
      r.restarting = `attempt ${r.task.attempt} restarted: restart_runner repair on node ${nodeId}`;
      r.abort.abort();
    }
  }

  /** A repair changed cordons or throttles: re-read them now rather than at the next heartbeat. */
  invalidateNodeState(): void {
    this.policyCache = null;
    void this.heartbeat().catch((err) => this.logger.warn({ err }, 'heartbeat failed'));
  }

  /** One heartbeat round (the timer calls it every HEARTBEAT_MS): node flags in, node rows and heartbeat events out. */
  async heartbeat(): Promise<void> {
    const { executorId, heartbeatMs } = this.settings;
    const flags = await this.nodeRows.flags(this.nodes.map((n) => n.id));
    for (const f of flags) {
      const n = this.nodes.find((x) => x.id === f.id);
      if (!n) continue;
      n.cordoned = f.cordoned;
      const requested = f.restartRequestedAt ? f.restartRequestedAt.getTime() : 0;
      // The first heartbeat only learns the mark: a request made before this process started has nothing to stop.
      if (this.restartsSeen.has(n.id) && requested > this.restartsSeen.get(n.id)!) this.restartNode(n.id);
      this.restartsSeen.set(n.id, requested);
    }
    for (const n of this.nodes) {
      await this.nodeRows.heartbeat({ id: n.id, executorId, cpuMillis: n.cpuMillis, memMb: n.memMb, gpus: n.gpus?.devices.length ?? 0, status: n.cordoned ? 'cordoned' : 'ready', running: n.running });
    }
    await this.nodeRows.markLost(heartbeatMs * 3, this.settings.nodeRetireAfterMs);
    const at = new Date(this.clock.now()).toISOString();
    await this.emit(this.nodes.map((n) => makeEnvelope('node.heartbeat.v1', n.id, { nodeId: n.id, executorId, cpuMillis: n.cpuMillis, memMb: n.memMb, running: n.running, at }))).catch((err) =>
      this.logger.warn({ err }, 'heartbeat publish failed'),
    );
  }

  /** Publishes through the bus client (Nest's ClientProxy over the bus); concurrent emits share one produce request. */
  private async emit(events: Envelope[]): Promise<void> {
    await Promise.all(events.map((e) => lastValueFrom(this.bus.emit(e.topic, e), { defaultValue: undefined })));
  }

  /** One lease round (every LEASE_MS/3): renew ours, recover expired ones, apply cancellations. */
  async maintainLeases(): Promise<void> {
    await this.repo.renewLeases();
    const recovered = await this.repo.recoverExpiredLeases();
    this.recordFailovers(recovered);
    if (recovered.length) {
      this.logger.warn({ recovered: recovered.length }, 'recovered tasks from expired leases');
      this.onCommit();
    }
    const toStop = await this.repo.applyCancellations();
    for (const id of toStop) this.running.get(id)?.abort.abort();
    this.onCommit();
  }

  /** Publishes each running attempt's use (source task) and each node's total (source node, every round). */
  async sampleResources(): Promise<void> {
    const withPid = [...this.running.values()].filter((r) => r.pid !== null);
    const stats = await this.sampler.sample(withPid.map((r) => r.pid!));
    const now = new Date(this.clock.now()).toISOString();
    // The host's network utilisation (node agent) applies to every node this executor runs.
    const net = this.agent?.latestNetPercent() ?? null;
    const usage = withPid
      .filter((r) => stats.has(r.pid!))
      .map((r) => ({ taskId: r.task.id, nodeId: r.task.nodeId, cpuPercent: stats.get(r.pid!)!.cpu, memMb: stats.get(r.pid!)!.memory / 2 ** 20 }));
    const events = [
      ...usage.map((u) => makeEnvelope('metrics.sampled.v1', u.taskId, { source: 'task', nodeId: u.nodeId, taskId: u.taskId, sampledAt: now, cpuPercent: u.cpuPercent, memMb: u.memMb })),
      ...nodeSamples(this.nodes, usage).map((n) =>
        makeEnvelope('metrics.sampled.v1', n.nodeId, { source: 'node', nodeId: n.nodeId, taskId: null, sampledAt: now, cpuPercent: n.cpuPercent, memMb: n.memMb, ...(net === null ? {} : { netPercent: net }) }),
      ),
    ];
    await this.emit(events).catch((err) => this.logger.warn({ err }, 'metric publish failed'));
  }

  /** Per-queue policies set through the API (queue_policies), cached for a second. */
  async queuePolicies(): Promise<Map<string, QueuePolicy & { maxConcurrent: number | null }>> {
    const now = this.clock.now();
    if (this.policyCache && now - this.policyCache.at < 1000) return this.policyCache.map;
    const rows = await this.queueRows.policies();
    const map = new Map(rows.map((r) => [r.queue, { policy: r.policy, placement: r.placement, maxConcurrent: r.maxConcurrent }]));
    this.policyCache = { at: now, map };
    return map;
  }

  /** Cluster-wide headroom of throttled queues (max_concurrent minus running anywhere). */
  /**
   * Running usage against running quotas of the tenants with ready work in these queues (null when none
   * of them has a running limit: nothing to check). Read once per pass, cluster-wide: two executors
   * owning queues of one tenant may together pass its quota by what one pass dispatches.
   */
  private async tenantLedger(schedulers: readonly QueueScheduler[], limits: ReadonlyMap<string, TenantLimits>): Promise<TenantRunningLedger | undefined> {
    if (!this.tenantRows) return undefined;
    const limited = [...limits.entries()].filter(([, l]) => l.maxRunningCpuMillis !== null || l.maxRunningMemMb !== null || l.maxRunningGpus !== null).map(([t]) => t);
    if (!limited.length) return undefined;
    const waiting = new Set(schedulers.flatMap((s) => s.readyTenants()));
    const relevant = limited.filter((t) => waiting.has(t));
    if (!relevant.length) return undefined;
    return new TenantRunningLedger(await this.tenantRows.runningByTenant(relevant), (t) => limits.get(t) ?? UNLIMITED_TENANT);
  }

  private async queueHeadroom(policies: Map<string, { maxConcurrent: number | null }>): Promise<Map<string, number>> {
    const limited = [...policies.entries()].filter(([, p]) => p.maxConcurrent !== null);
    if (!limited.length) return new Map();
    const running = await this.queueRows.runningByQueue(limited.map(([q]) => q));
    return new Map(limited.map(([q, p]) => [q, Math.max(0, p.maxConcurrent! - (running.get(q) ?? 0))]));
  }

  /** The analyzer's estimate, kept on a still-queued task for the duration-aware policies. */
  recordPrediction(taskId: string, p50Ms: number, p90Ms: number): Promise<void> {
    return this.repo.recordPrediction(taskId, p50Ms, p90Ms);
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Stops claiming; lets running attempts finish (or be recovered by another executor's lease check). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.dueTimer !== null) clearTimeout(this.dueTimer.timer);
    this.dueTimer = null;
    await this.ticking;
    // Hand the queues over now rather than after the lease: another executor takes them at its next round.
    await this.owners.release(this.settings.executorId).catch((err) => this.logger.warn({ err }, 'releasing queue ownership failed; it lapses with the lease'));
    this.ownedQueues = [];
    this.schedulers.clear();
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    this.orphans.stop();
    this.sampler.close();
    await this.outcomeDecisions?.flush();
  }

  private every(ms: number, fn: () => unknown): void {
    this.timers.push(
      setInterval(() => {
        if (this.stopped) return;
        Promise.resolve()
          .then(fn)
          .catch((err) => this.logger.error({ err }, 'periodic executor job failed'));
      }, ms),
    );
  }
}

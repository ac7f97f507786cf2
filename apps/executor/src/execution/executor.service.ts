import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { makeEnvelope, type Envelope, type RunSpec } from '@kairos/contracts';
import { CLOCK, ConfigError, type Clock } from '@kairos/platform';
import { LatencyWindow, POLICY_NAMES } from '@kairos/scheduling-core';
import { APP_IDENTITY, BUS_CLIENT, KAIROS_METRICS, OutboxRelayService, type AppIdentity, type KairosMetrics } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { localNodesFromConfig, type LocalNode } from '../nodes/local-nodes';
import { nodeSamples } from '../nodes/node-samples';
import type { ProcessIdentity } from '../runners/process-group.reaper';
import { RUNNERS, type RunResult, type TaskRunner } from '../runners/runner.port';
import { DEFAULT_QUEUE_POLICY, planAssignments, type QueuePolicy } from '../scheduling/plan-assignments';
import { TASK_REPOSITORY, type ClaimedTask, type TaskRepository } from '../tasks/task.repository';
import { NODE_REPOSITORY, type NodeRepository } from './node.repository';
import { ORPHAN_GUARD, type OrphanGuard } from './orphan-guard';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository } from './queue-policy.repository';
import { RESOURCE_SAMPLER, type ResourceSampler } from './resource-sampler';
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
}

/**
 * One executor process: registers its nodes, claims runnable tasks in policy order (PostgreSQL row
 * locks make claims exclusive across replicas), runs them, records each attempt, renews leases,
 * recovers tasks whose executor died, and samples resource use of what it runs.
 */
@Injectable()
export class ExecutorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly nodes: LocalNode[];
  private readonly logger: AppIdentity['logger'];
  private readonly running = new Map<string, RunningTask>();
  private readonly timers: NodeJS.Timeout[] = [];
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private stopped = true;
  readonly defaultPolicy: QueuePolicy;
  /** Wall time of each scheduling decision (policy ordering + placement over the runnable candidates). */
  readonly decisionLatency = new LatencyWindow();
  /** Per node, the last restart_runner mark (ms) acted on. */
  private readonly restartsSeen = new Map<string, number>();
  private policyCache: { at: number; map: Map<string, QueuePolicy & { maxConcurrent: number | null }> } | null = null;

  constructor(
    @Inject(TASK_REPOSITORY) readonly repo: TaskRepository,
    @Inject(NODE_REPOSITORY) private readonly nodeRows: NodeRepository,
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly queueRows: QueuePolicyRepository,
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
  ) {
    this.logger = id.logger;
    this.nodes = localNodesFromConfig(settings.nodes, settings.executorId);
    if (!(POLICY_NAMES as readonly string[]).includes(settings.schedulerPolicy)) {
      throw new ConfigError(`SCHEDULER_POLICY="${settings.schedulerPolicy}": unknown policy (known: ${POLICY_NAMES.join(', ')})`);
    }
    this.defaultPolicy = { policy: settings.schedulerPolicy, placement: DEFAULT_QUEUE_POLICY.placement };
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
    if (orphaned.length) this.logger.warn({ recovered: orphaned.length }, 'requeued the attempts this executor id was running before it restarted');
    await this.heartbeat();
    const { heartbeatMs, leaseMs, metricsSampleMs } = this.settings;
    this.every(250, () => this.kick());
    this.every(heartbeatMs, () => this.heartbeat());
    this.every(Math.max(200, Math.floor(leaseMs / 3)), () => this.maintainLeases());
    this.every(metricsSampleMs, () => this.sampleResources());
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

  async scheduleOnce(): Promise<void> {
    const slotsPerNode = this.settings.slotsPerNode;
    const slots = this.nodes.reduce((n, node) => n + (node.cordoned ? 0 : Math.max(0, slotsPerNode - node.running)), 0);
    if (slots === 0) return;
    const candidates = await this.repo.listRunnable(Math.max(200, slots * 4));
    if (!candidates.length) return;
    const policies = await this.queuePolicies();
    const remaining = await this.queueHeadroom(policies);
    const decidedFrom = performance.now();
    const assignments = planAssignments(candidates, this.nodes, slotsPerNode, (q) => policies.get(q) ?? this.defaultPolicy, this.clock.now(), (q) => remaining.get(q) ?? Infinity).slice(0, slots);
    const decisionMs = performance.now() - decidedFrom;
    this.decisionLatency.record(decisionMs);
    this.metrics?.decisionSeconds.observe({ policy: this.defaultPolicy.policy }, decisionMs / 1000);
    const claimFrom = performance.now();
    const claimed = await this.repo.claim(assignments);
    if (assignments.length) this.metrics?.claimSeconds.observe((performance.now() - claimFrom) / 1000);
    if (claimed.length) this.onCommit();
    for (const task of claimed) this.launch(task);
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
      node.usedCpu -= task.resources.cpuMillis;
      node.usedMem -= task.resources.memMb;
      node.running -= 1;
      this.running.delete(task.id);
      this.kick();
    });
  }

  private async execute(task: ClaimedTask, entry: RunningTask): Promise<void> {
    const log = this.logger.child({ taskId: task.id, attempt: task.attempt, nodeId: task.nodeId });
    const started = performance.now();
    let result: RunResult;
    const runner = this.runners.get(task.run.kind);
    try {
      if (!runner) throw new Error(`no runner for kind ${task.run.kind}`);
      // A retry on this host starts only once what an earlier attempt left here is gone.
      const blocked = task.attempt > 1 ? await this.orphans.clearBefore(task.id, task.attempt) : null;
      if (blocked) {
        result = { outcome: 'failed', exitCode: null, outputTail: '', error: blocked };
      } else {
        result = await runner.run(task.run as never, {
          taskId: task.id,
          attempt: task.attempt,
          timeoutMs: task.timeoutMs,
          outputTailBytes: this.settings.outputTailBytes,
          signal: entry.abort.signal,
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
      result = { outcome: 'failed', exitCode: null, outputTail: '', error: `runner crashed: ${(err as Error).message}` };
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
        const status = await this.repo.completeAttempt(task, { ...result, durationMs });
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
      await this.nodeRows.heartbeat({ id: n.id, executorId, cpuMillis: n.cpuMillis, memMb: n.memMb, status: n.cordoned ? 'cordoned' : 'ready', running: n.running });
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
    await this.ticking;
    for (const r of this.running.values()) r.abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    this.orphans.stop();
    this.sampler.close();
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

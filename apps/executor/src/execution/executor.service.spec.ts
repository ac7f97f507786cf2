import type { ClientProxy } from '@nestjs/microservices';
import { DecisionRecordSchema, type RunSpec } from '@kairos/contracts';
import { ConfigError } from '@kairos/platform';
import { KairosBusClient } from '@kairos/bus';
import { FakeClock, KickCounter, RecordingEventBus, testIdentity } from '@kairos/testing';
import { InMemoryAttemptProcessRepository } from '../../test/fakes/in-memory-attempt-processes';
import { InMemoryDecisionRepository } from '../../test/fakes/in-memory-decisions';
import { InMemoryTaskRepository } from '../../test/fakes/in-memory-task.repository';
import { FakeResourceSampler, InMemoryNodeRepository, InMemoryQueueOwnerRepository, InMemoryQueuePolicyRepository } from '../../test/fakes/in-memory-nodes';
import type { ExecutorSettings } from '../core/executor-settings';
import { NoopRunner } from '../runners/noop.runner';
import { ProcessGroupReaper } from '../runners/process-group.reaper';
import type { RunContext, RunResult, TaskRunner } from '../runners/runner.port';
import { ExecutorService } from './executor.service';
import { currentHostIdentity, OrphanGuard } from './orphan-guard';
import type { NodeAgent } from '../nodes/node-agent.service';
import { RETENTION_OFF } from '../retention/retention-plan';

/** A shell-kind runner the test finishes by hand; it reports a pid and honours abort like the real ones. */
class GatedRunner implements TaskRunner<'shell'> {
  readonly kind = 'shell' as const;
  readonly running = new Map<string, { finish: (r: RunResult) => void; ctx: RunContext }>();
  async run(_spec: Extract<RunSpec, { kind: 'shell' }>, ctx: RunContext): Promise<RunResult> {
    ctx.onPid?.(1000 + this.running.size);
    return new Promise<RunResult>((resolve) => {
      this.running.set(ctx.taskId, { finish: resolve, ctx });
      ctx.signal.addEventListener('abort', () => resolve({ outcome: 'cancelled', exitCode: null, outputTail: '', error: 'cancelled' }), { once: true });
    });
  }
  finish(taskId: string, r: RunResult = { outcome: 'succeeded', exitCode: 0, outputTail: 'ok', error: null }): void {
    this.running.get(taskId)!.finish(r);
  }
}

const shell: RunSpec = { kind: 'shell', command: ['true'], shell: false, env: {} };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function until(cond: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('ExecutorService (in-memory repositories, fake runners and clock)', () => {
  let tasks: InMemoryTaskRepository;
  let nodes: InMemoryNodeRepository;
  let queues: InMemoryQueuePolicyRepository;
  let sampler: FakeResourceSampler;
  let bus: RecordingEventBus;
  let relay: KickCounter;
  let gated: GatedRunner;
  let service: ExecutorService;

  const settings = (over: Partial<ExecutorSettings> = {}): ExecutorSettings => ({
    executorId: 'exec-t',
    leaseMs: 15_000,
    heartbeatMs: 2_000,
    metricsSampleMs: 1_000,
    slotsPerNode: 2,
    outputTailBytes: 1024,
    schedulerPolicy: 'fifo',
    nodeRetireAfterMs: 86_400_000,
    nodes: 'n1:4000:8192,n2:4000:8192',
    scheduleLeaseMs: 5_000,
    schedulePartitions: 64,
    scheduleDecideAheadMs: 0,
    claimAheadMs: 0,
    recordDecisions: true,
    decisionsRetentionDays: 14,
    retention: RETENTION_OFF,
    ...over,
  });

  const build = (over: Partial<ExecutorSettings> = {}, agent?: NodeAgent, decisions?: InMemoryDecisionRepository): ExecutorService => {
    bus = new RecordingEventBus();
    const client = new KairosBusClient(bus);
    const runners = new Map<RunSpec['kind'], TaskRunner>([
      ['noop', new NoopRunner() as TaskRunner],
      ['shell', gated as TaskRunner],
    ]);
    return new ExecutorService(tasks, nodes, queues, new InMemoryQueueOwnerRepository(() => tasks.queuedQueues()), runners, sampler, client as ClientProxy, relay, new FakeClock(), settings(over), testIdentity('executor', 'exec-t'), new OrphanGuard(new InMemoryAttemptProcessRepository(), new ProcessGroupReaper(), currentHostIdentity(), null, { warn: () => undefined }), undefined, agent, decisions);
  };

  beforeEach(() => {
    tasks = new InMemoryTaskRepository();
    nodes = new InMemoryNodeRepository((n) => tasks.usageOn(n));
    queues = new InMemoryQueuePolicyRepository();
    sampler = new FakeResourceSampler();
    relay = new KickCounter();
    gated = new GatedRunner();
    service = build();
  });

  afterEach(async () => {
    for (const [taskId] of gated.running) gated.finish(taskId);
    await service.stop();
  });

  it('claims no more than its slots (2 per node x 2 nodes), runs them, records each outcome and kicks the relay', async () => {
    for (let i = 1; i <= 5; i++) tasks.add({ id: id(i), run: shell });
    await service.scheduleOnce();
    expect(gated.running.size).toBe(4);
    expect([...tasks.tasks.values()].filter((t) => t.status === 'running').map((t) => t.nodeId).sort()).toEqual(['n1', 'n1', 'n2', 'n2']);
    expect(relay.kicks).toBe(1); // the task.started events of the claim
    for (let i = 1; i <= 4; i++) gated.finish(id(i));
    await until(() => service.runningCount() === 0, 'four attempts to finish');
    expect(tasks.outcomes.map((o) => [o.taskId, o.status])).toEqual([1, 2, 3, 4].map((i) => [id(i), 'succeeded']));
    expect(relay.kicks).toBe(5); // + one per recorded completion
    await service.scheduleOnce();
    expect([...gated.running.keys()]).toContain(id(5));
  });

  it('a task claimed ahead of its run_after starts at it (a real timer) and records that start; the others start at once', async () => {
    const now = new FakeClock().now(); // the service's clock (fixed); the wait is run_after − now on a real timer
    tasks.add({ id: id(1), run: { kind: 'noop', sleepMs: 0 }, runAfter: new Date(now + 80) });
    tasks.add({ id: id(2), run: { kind: 'noop', sleepMs: 0 } });
    const from = performance.now();
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 1, 'the task due now to finish');
    expect(tasks.outcomes[0]).toMatchObject({ taskId: id(2), startedAtMs: null });
    expect(service.runningCount()).toBe(1); // id(1) holds its slot while it waits
    await until(() => tasks.outcomes.length === 2, 'the task claimed ahead to start and finish');
    expect(performance.now() - from).toBeGreaterThanOrEqual(75);
    expect(tasks.outcomes[1]).toMatchObject({ taskId: id(1), status: 'succeeded', startedAtMs: now });
  });

  it('records one placement decision per claimed task, in one batch after the claim, and none for tasks left queued', async () => {
    const decisions = new InMemoryDecisionRepository();
    await service.stop();
    service = build({}, undefined, decisions);
    for (let i = 1; i <= 5; i++) tasks.add({ id: id(i), run: shell });
    await service.scheduleOnce();
    const running = [...tasks.tasks.values()].filter((t) => t.status === 'running');
    expect(decisions.batches).toBe(1);
    const placements = decisions.rows.filter((d) => d.kind === 'placement');
    const orderings = decisions.rows.filter((d) => d.kind === 'ordering');
    expect(placements.map((d) => d.taskId).sort()).toEqual(running.map((t) => t.id).sort());
    expect(orderings.map((d) => d.taskId).sort()).toEqual(running.map((t) => t.id).sort());
    // fifo: each start was the head of the queue; the runner-up is the next arrival, ranked behind.
    expect(orderings[0]).toMatchObject({ policy: { name: 'fifo' }, taskId: id(1), chosen: { components: [{ name: 'rank_key' }, { name: 'queue_position', input: 0 }] }, runnerUp: { candidate: { id: id(2) }, reason: 'lower_score' } });
    for (const d of orderings) expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    for (const d of placements) {
      expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
      expect(d.nodeId).toBe(tasks.tasks.get(d.taskId!)?.nodeId);
      expect(d.policy.name).toBe('least-loaded');
      expect(d.inputs.extra?.orderingPolicy).toBe('fifo');
      expect(d.candidatesConsidered).toBe(2);
    }
    // The first placement saw two empty nodes: a tie; the runner-up is the other node.
    expect(placements[0]?.runnerUp).toMatchObject({ candidate: { id: 'n2' }, reason: 'tie_break' });
  });

  it('records nothing with DECISION_RECORDING off, and prunes records older than the retention', async () => {
    const decisions = new InMemoryDecisionRepository();
    await service.stop();
    service = build({ recordDecisions: false, decisionsRetentionDays: 1 }, undefined, decisions);
    tasks.add({ id: id(1), run: shell });
    await service.scheduleOnce();
    expect(decisions.rows).toEqual([]);
    const now = new FakeClock().now();
    const record = (decisionId: string, atMs: number) => DecisionRecordSchema.parse({
      schemaVersion: 1, decisionId, kind: 'placement', at: new Date(atMs).toISOString(), policy: { name: 'least-loaded', version: '1' }, taskId: id(9), nodeId: 'n1', objective: 'min',
      chosen: { id: 'n1', score: 0, components: [], eligible: true }, runnerUp: null, inputs: {}, confidence: 1, candidatesConsidered: 1, candidatesSampled: false, summary: 'n1',
    });
    await decisions.insertMany([record('00000000-2222-4333-8444-555555555555', now - 2 * 86_400_000), record('11111111-2222-4333-8444-555555555555', now)]);
    expect(await service.pruneDecisions()).toBe(1);
    expect(decisions.rows.map((d) => d.decisionId)).toEqual(['11111111-2222-4333-8444-555555555555']);
  });

  it('a failed attempt is retried within the task budget, then the task fails for good', async () => {
    tasks.add({ id: id(1), run: { kind: 'noop', sleepMs: 0, failWith: 3 }, maxAttempts: 2 });
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 1, 'the first attempt');
    expect(tasks.status(id(1))).toBe('queued');
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 2, 'the second attempt');
    expect(tasks.outcomes.map((o) => [o.attempt, o.outcome, o.status])).toEqual([
      [1, 'failed', 'queued'],
      [2, 'failed', 'failed'],
    ]);
  });

  it('records the retry-or-fail decision of each failed attempt and the fail-over of a lost one, batched off the completion path', async () => {
    const decisions = new InMemoryDecisionRepository();
    await service.stop();
    service = build({}, undefined, decisions);
    tasks.retryDelayMs = 1234;
    tasks.add({ id: id(1), run: { kind: 'noop', sleepMs: 0, failWith: 3 }, maxAttempts: 2 });
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 1, 'the first attempt');
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 2, 'the second attempt');
    const placementBatches = decisions.batches;
    tasks.expired = [{ id: id(2), status: 'queued', nodeId: 'n2', attempt: 1, leaseOwner: 'exec-dead', lostCount: 1, reason: 'attempt 1 lost: executor exec-dead stopped renewing its lease' }];
    await service.maintainLeases();
    // Nothing written yet: the records wait for the buffer's timer (or the flush at stop).
    expect(decisions.rows.filter((d) => d.kind !== 'placement' && d.kind !== 'ordering')).toEqual([]);
    await service.stop();
    expect(decisions.batches).toBe(placementBatches + 1);
    const retries = decisions.rows.filter((d) => d.kind === 'retry');
    for (const d of [...retries, ...decisions.rows.filter((r) => r.kind === 'failover')]) expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
    expect(retries.map((d) => [d.inputs.attempt, d.chosen.id, d.runnerUp?.candidate.id, d.inputs.extra?.backoffMs, d.inputs.extra?.attemptsUsed])).toEqual([
      [1, 'retry', 'fail', 1234, 1],
      [2, 'fail', 'retry', 0, 2],
    ]);
    expect(retries[0]).toMatchObject({ taskId: id(1), nodeId: tasks.tasks.get(id(1))?.nodeId, inputs: { extra: { outcome: 'failed', exitCode: 3, maxAttempts: 2 } } });
    expect(decisions.rows.filter((d) => d.kind === 'failover')).toEqual([
      expect.objectContaining({ taskId: id(2), nodeId: 'n2', chosen: expect.objectContaining({ id: 'requeue' }), inputs: { attempt: 1, extra: expect.objectContaining({ leaseOwner: 'exec-dead', lostCount: 1 }) } }),
    ]);
  });

  it('an attempt the kernel killed for memory is recorded as oom_killed in its retry decision', async () => {
    const decisions = new InMemoryDecisionRepository();
    await service.stop();
    service = build({}, undefined, decisions);
    tasks.add({ id: id(1), run: shell, maxAttempts: 1 });
    await service.scheduleOnce();
    gated.finish(id(1), { outcome: 'failed', exitCode: null, outputTail: '', error: 'killed: memory limit', oomKilled: true });
    await until(() => tasks.outcomes.length === 1, 'the attempt');
    await service.stop();
    const [retry] = decisions.rows.filter((d) => d.kind === 'retry');
    expect(retry).toMatchObject({ chosen: { id: 'fail' }, inputs: { extra: { outcome: 'oom_killed', attemptsUsed: 1, maxAttempts: 1 } } });
    expect(retry?.summary).toMatch(/^attempt 1 oom_killed: task /);
  });

  it('records no retry or fail-over decisions with DECISION_RECORDING off', async () => {
    const decisions = new InMemoryDecisionRepository();
    await service.stop();
    service = build({ recordDecisions: false }, undefined, decisions);
    tasks.add({ id: id(1), run: { kind: 'noop', sleepMs: 0, failWith: 3 }, maxAttempts: 1 });
    await service.scheduleOnce();
    await until(() => tasks.outcomes.length === 1, 'the attempt');
    tasks.expired = [{ id: id(2), status: 'queued', nodeId: 'n2', attempt: 1, leaseOwner: 'exec-dead', lostCount: 1, reason: 'lost' }];
    await service.maintainLeases();
    await service.stop();
    expect(decisions.rows).toEqual([]);
  });

  it('places no work on a cordoned node', async () => {
    nodes.set('n1', { cordoned: true });
    await service.heartbeat();
    for (let i = 1; i <= 4; i++) tasks.add({ id: id(i), run: shell });
    await service.scheduleOnce();
    expect([...tasks.tasks.values()].filter((t) => t.status === 'running').map((t) => t.nodeId)).toEqual(['n2', 'n2']);
    expect(nodes.heartbeats.find((h) => h.id === 'n1')?.status).toBe('cordoned');
  });

  it('keeps a throttled queue within max_concurrent, counting what runs elsewhere in the cluster', async () => {
    queues.rows = [{ queue: 'slow', policy: 'fifo', placement: 'least-loaded', maxConcurrent: 2 }];
    queues.runningElsewhere.set('slow', 1);
    for (let i = 1; i <= 3; i++) tasks.add({ id: id(i), run: shell, queue: 'slow' });
    tasks.add({ id: id(4), run: shell, queue: 'fast' });
    await service.scheduleOnce();
    const running = [...tasks.tasks.values()].filter((t) => t.status === 'running');
    expect(running.filter((t) => t.queue === 'slow')).toHaveLength(1);
    expect(running.filter((t) => t.queue === 'fast')).toHaveLength(1);
  });

  it('stops a running attempt whose cancellation was requested and records it cancelled', async () => {
    await service.start(); // a started executor records what it stops (a stopping one leaves it to lease recovery)
    tasks.add({ id: id(1), run: shell });
    await service.scheduleOnce();
    tasks.tasks.get(id(1))!.cancelRequested = true;
    await service.maintainLeases();
    await until(() => tasks.outcomes.length === 1, 'the cancelled attempt');
    expect(tasks.outcomes[0]).toMatchObject({ taskId: id(1), outcome: 'cancelled', status: 'cancelled' });
  });

  it('GPU tasks: placed only on the GPU node, given its devices lowest first (CPU tasks an empty list); a cancelled attempt frees its device for the next', async () => {
    await service.stop();
    service = build({ nodes: 'cpu:4000:8192,g:4000:8192:2', slotsPerNode: 4 });
    await service.start();
    expect(nodes.heartbeats.filter((h) => h.id === 'g').at(-1)?.gpus).toBe(2);
    const gpu = { cpuMillis: 100, memMb: 10, gpu: 1 };
    for (let i = 1; i <= 3; i++) tasks.add({ id: id(i), run: shell, resources: gpu });
    tasks.add({ id: id(4), run: shell, resources: { cpuMillis: 100, memMb: 10, gpu: 0 } });
    await service.scheduleOnce();
    await until(() => gated.running.has(id(1)) && gated.running.has(id(2)), 'g1 and g2');
    // g1 and g2 take both devices; g3 waits for one.
    expect(gated.running.has(id(1)) && gated.running.has(id(2)) && !gated.running.has(id(3))).toBe(true);
    expect(gated.running.get(id(1))!.ctx.gpuDevices).toEqual([0]);
    expect(gated.running.get(id(2))!.ctx.gpuDevices).toEqual([1]);
    expect([id(1), id(2)].map((t) => tasks.tasks.get(t)!.nodeId)).toEqual(['g', 'g']);
    await service.scheduleOnce();
    expect(gated.running.has(id(3))).toBe(false);
    tasks.tasks.get(id(1))!.cancelRequested = true;
    await service.maintainLeases();
    await until(() => tasks.outcomes.length === 1, 'the cancelled attempt');
    await service.scheduleOnce();
    await until(() => gated.running.has(id(3)) && gated.running.has(id(4)), 'g3 and the CPU task to run');
    expect(gated.running.get(id(3))!.ctx.gpuDevices).toEqual([0]);
    expect(tasks.tasks.get(id(3))!.nodeId).toBe('g');
    expect(gated.running.get(id(4))!.ctx.gpuDevices).toEqual([]);
  });

  it('a GPU attempt whose device an ending attempt still holds waits for it, then gets it', async () => {
    await service.stop();
    service = build({ nodes: 'g:4000:8192:1', slotsPerNode: 4 });
    await service.start();
    const gpu = { cpuMillis: 100, memMb: 10, gpu: 1 };
    tasks.add({ id: id(1), run: shell, resources: gpu });
    await service.scheduleOnce();
    await until(() => gated.running.has(id(1)), 'the first attempt');
    expect(gated.running.get(id(1))!.ctx.gpuDevices).toEqual([0]);
    // Its row has ended (the cluster view counts the GPU free again) while its process is still stopping.
    tasks.tasks.get(id(1))!.status = 'cancelled';
    tasks.add({ id: id(2), run: shell, resources: gpu });
    await service.scheduleOnce();
    expect(tasks.tasks.get(id(2))!.status).toBe('running');
    await new Promise((r) => setTimeout(r, 250));
    expect(gated.running.has(id(2))).toBe(false);
    gated.finish(id(1));
    await until(() => gated.running.has(id(2)), 'the second attempt to get the device');
    expect(gated.running.get(id(2))!.ctx.gpuDevices).toEqual([0]);
  });

  it('restart_runner: a newer restart mark on a node stops its attempts and requeues them without charging the retry budget', async () => {
    nodes.set('n1', { restartRequestedAt: new Date(1_000) });
    await service.start(); // its first heartbeat learns the old mark: nothing to stop
    tasks.add({ id: id(1), run: shell, maxAttempts: 1 });
    await service.scheduleOnce();
    const nodeId = tasks.tasks.get(id(1))!.nodeId!;
    nodes.set(nodeId, { restartRequestedAt: new Date(2_000) });
    await service.heartbeat();
    await until(() => tasks.outcomes.length === 1, 'the restarted attempt');
    expect(tasks.outcomes[0]).toMatchObject({ outcome: 'lost', status: 'queued' });
    expect(tasks.tasks.get(id(1))!.lostCount).toBe(1);
  });

  it('publishes a heartbeat per node and, each sampling round, every running attempt and every node total', async () => {
    await service.heartbeat();
    expect(bus.publishedOn('node.heartbeat.v1').map((e) => [e.key, e.payload.executorId, e.payload.running])).toEqual([
      ['n1', 'exec-t', 0],
      ['n2', 'exec-t', 0],
    ]);
    tasks.add({ id: id(1), run: shell });
    await service.scheduleOnce();
    sampler.usage.set(1000, { cpu: 50, memory: 64 * 2 ** 20 });
    await service.sampleResources();
    const samples = bus.publishedOn('metrics.sampled.v1').map((e) => e.payload);
    expect(samples.filter((s) => s.source === 'task')).toEqual([expect.objectContaining({ taskId: id(1), cpuPercent: 50, memMb: 64 })]);
    expect(samples.filter((s) => s.source === 'node').map((s) => s.nodeId).sort()).toEqual(['n1', 'n2']);
  });

  it("node samples carry the node agent's netPercent when it has one (the network-bottleneck rule's input)", async () => {
    let net: number | null = null;
    service = build({}, { latestNetPercent: () => net });
    await service.sampleResources();
    net = 91.5;
    await service.sampleResources();
    const nodeSamples = bus.publishedOn('metrics.sampled.v1').map((e) => e.payload).filter((s) => s.source === 'node');
    expect(nodeSamples.map((s) => s.netPercent)).toEqual([undefined, undefined, 91.5, 91.5]);
  });

  it('rejects an unknown SCHEDULER_POLICY naming the variable', () => {
    expect(() => build({ schedulerPolicy: 'telepathy' })).toThrow(ConfigError);
    expect(() => build({ schedulerPolicy: 'telepathy' })).toThrow('SCHEDULER_POLICY="telepathy"');
  });
});

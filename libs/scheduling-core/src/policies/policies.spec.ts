import { ClusterState } from '../model/cluster-state';
import { seededRng } from '../model/clock';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import type { Task } from '../model/task.model';
import { BestFitPlacement } from '../placement/packing.placement';
import { EasyBackfillPolicy } from './backfill.policy';
import { FifoPolicy } from './fifo.policy';
import { GeneticPolicy } from './genetic.policy';
import { LearnedPolicy, type LearnedWeights } from './learned.policy';
import { MlfqPolicy } from './mlfq.policy';
import type { OrderingPolicy } from './ordering-policy';
import { PackingPolicy } from './packing.policy';
import { createPolicy, POLICY_NAMES } from './policy.registry';
import { DynamicPriorityPolicy, StaticPriorityPolicy } from './priority.policy';
import { TenantRoundRobinPolicy } from './round-robin.policy';
import { SjfPolicy } from './sjf.policy';

const NODE = resources({ cpuMillis: 4000, memMb: 4096 });
const cluster = (n = 1): ClusterState => new ClusterState(Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: NODE })));
const placement = () => new BestFitPlacement();

/** Dispatches until idle, allocating on the cluster; returns task ids in dispatch order. */
function drain(policy: OrderingPolicy, c: ClusterState, tasks: readonly Task[], now = 0): string[] {
  const out: string[] = [];
  for (;;) {
    const d = policy.pickNext(c, now);
    if (d.kind === 'idle') return out;
    const t = tasks.find((x) => x.id === d.taskId) as Task;
    for (const n of d.nodeIndexes) c.allocate(n, t.request);
    policy.commit(d, now);
    out.push(d.taskId);
  }
}

function enqueueAll(p: OrderingPolicy, tasks: readonly Task[]): void {
  for (const t of tasks) p.enqueue(t, t.instances, t.arrival);
}

describe('ordering policies', () => {
  const small = (id: string, arrival: number, cpu: number, extra: Partial<Parameters<typeof makeTask>[0]> = {}) =>
    makeTask({ id, arrival, request: { cpuMillis: cpu, memMb: 512 }, ...extra });

  it('fifo blocks behind a head that does not fit (head-of-line blocking)', () => {
    const tasks = [small('a', 0, 3000), small('big', 1, 3000), small('tiny', 2, 500)];
    const p = new FifoPolicy({ placement: placement() });
    enqueueAll(p, tasks);
    const c = cluster();
    expect(drain(p, c, tasks)).toEqual(['a']);
    expect(p.pickNext(c, 0)).toEqual({ kind: 'idle', reason: 'head-blocked' });
  });

  it('EASY backfill starts a later task only when it ends before the head reservation', () => {
    const tasks = [
      small('running', 0, 3000, { predicted: 100 }),
      small('head', 1, 3000, { predicted: 50 }),
      small('short', 2, 1000, { predicted: 50 }),
      small('long', 3, 1000, { predicted: 500 }),
    ];
    const p = new EasyBackfillPolicy({ placement: placement(), information: 'predicted' });
    const c = cluster();
    p.enqueue(tasks[0] as Task, 1, 0);
    expect(drain(p, c, tasks, 0)).toEqual(['running']);
    for (const t of tasks.slice(1)) p.enqueue(t, 1, 10);
    // head reserved at t=100; 'short' (ends 60) backfills, 'long' (ends 510) must wait.
    expect(drain(p, c, tasks, 10)).toEqual(['short']);
  });

  it.each([
    ['sjf on predicted', new SjfPolicy({ placement: placement(), information: 'predicted' }), ['p5', 'p20', 'p60']],
    ['sjf oracle on actual', new SjfPolicy({ placement: placement(), information: 'actual' }), ['p60', 'p20', 'p5']],
  ])('%s', (_label, p, expected) => {
    const tasks = [
      small('p20', 0, 100, { predicted: 20, actual: 20 }),
      small('p60', 1, 100, { predicted: 60, actual: 1 }),
      small('p5', 2, 100, { predicted: 5, actual: 90 }),
    ];
    enqueueAll(p, tasks);
    expect(drain(p, cluster(), tasks)).toEqual(expected);
  });

  it('static priority runs higher priority first, FIFO within a level', () => {
    const tasks = [small('low', 0, 100, { priority: 0 }), small('hi1', 1, 100, { priority: 2 }), small('hi2', 2, 100, { priority: 2 })];
    const p = new StaticPriorityPolicy({ placement: placement() });
    enqueueAll(p, tasks);
    expect(drain(p, cluster(), tasks)).toEqual(['hi1', 'hi2', 'low']);
  });

  it('dynamic priority follows seed 001: aging lets an old low-priority task overtake', () => {
    const p = new DynamicPriorityPolicy({ placement: placement(), nodeCapacity: NODE, maxWait: 100 });
    const old = small('old', 0, 1000, { priority: 0 });
    const fresh = small('fresh', 300, 1000, { priority: 2 });
    // At t=300: old = 0 + 5·3 − 2·(0.3·0.25 + 0.2·0.125) = 14.8; fresh = 2 − 0.2 = 1.8.
    const entry = (t: Task) => ({ task: t, pending: 1, started: 0, enqueuedAt: t.arrival });
    expect(p.priorityAt(entry(old), 300)).toBeCloseTo(14.8, 6);
    expect(p.priorityAt(entry(fresh), 300)).toBeCloseTo(1.8, 6);
    enqueueAll(p, [old, fresh]);
    expect(drain(p, cluster(), [old, fresh], 300)).toEqual(['old', 'fresh']);
    // Resource-hungry tasks are penalised at equal wait and priority.
    const q = new DynamicPriorityPolicy({ placement: placement(), nodeCapacity: NODE, maxWait: 100 });
    const hungry = small('hungry', 0, 4000);
    const lean = small('lean', 0, 100);
    enqueueAll(q, [hungry, lean]);
    expect(drain(q, cluster(2), [hungry, lean])).toEqual(['lean', 'hungry']);
  });

  it('round robin alternates tenants one instance at a time', () => {
    const tasks = [
      small('a1', 0, 100, { tenant: 'A', instances: 2 }),
      small('a2', 1, 100, { tenant: 'A' }),
      small('b1', 2, 100, { tenant: 'B' }),
      small('b2', 3, 100, { tenant: 'B' }),
    ];
    const p = new TenantRoundRobinPolicy({ placement: placement() });
    enqueueAll(p, tasks);
    expect(drain(p, cluster(), tasks)).toEqual(['a1', 'b1', 'a2', 'b2', 'a1']);
  });

  it('mlfq demotes a job once its attained service passes the quantum', () => {
    const p = new MlfqPolicy({ placement: placement(), baseQuantum: 60, growth: 4 });
    const heavy = small('heavy', 0, 100, { jobId: 'J1' });
    const light = small('light', 1, 100, { jobId: 'J2' });
    enqueueAll(p, [heavy, light]);
    p.onInstanceEnd(heavy, 0, 0, 100, true); // J1 attained 100 s ≥ 60 → level 1
    expect(p.levelOf('J1')).toBe(1);
    expect(p.levelOf('J2')).toBe(0);
    expect(drain(p, cluster(), [heavy, light])).toEqual(['light', 'heavy']);
  });

  it('mlfq keeps bounded state over a stream of one-task jobs (attained service capped, queued-id sets dropped)', () => {
    const p = new MlfqPolicy({ placement: placement(), maxJobs: 100 });
    const c = cluster();
    for (let i = 0; i < 2_000; i++) {
      const t = small(`t${i}`, i, 100, { jobId: `J${i}` });
      p.enqueue(t, 1, i);
      expect(drain(p, c, [t], i)).toEqual([`t${i}`]);
      c.release(0, t.request);
      p.onInstanceEnd(t, 0, i, i + 1, true);
    }
    // One more cancelled while queued: its set goes with it.
    const gone = small('gone', 2_000, 100, { jobId: 'Jgone' });
    p.enqueue(gone, 1, 2_000);
    p.remove('gone');
    expect(p.trackedJobs.queued).toBe(0);
    expect(p.trackedJobs.attained).toBeLessThanOrEqual(100);
    // The most recently served jobs are the ones remembered.
    const heavy = small('h', 3_000, 100, { jobId: 'J1999' });
    p.onInstanceEnd(heavy, 0, 0, 100, true);
    expect(p.levelOf('J1999')).toBe(1);
  });

  it('packing picks the task whose demand aligns best with the free resources', () => {
    const c = cluster();
    const filler = makeTask({ id: 'filler', request: { cpuMillis: 3000, memMb: 0 } });
    c.allocate(0, filler.request); // free: 1000 cpu, 4096 mem
    const cpuHeavy = makeTask({ id: 'cpu', arrival: 0, request: { cpuMillis: 1000, memMb: 100 }, predicted: 10 });
    const memHeavy = makeTask({ id: 'mem', arrival: 1, request: { cpuMillis: 100, memMb: 4000 }, predicted: 10 });
    const p = new PackingPolicy({ placement: placement(), srptWeight: 0 });
    enqueueAll(p, [cpuHeavy, memHeavy]);
    const d = p.pickNext(c, 0);
    expect(d.kind === 'dispatch' && d.taskId).toBe('mem');
  });

  it('genetic optimiser orders a clear batch shortest-area first', () => {
    const p = new GeneticPolicy({ placement: placement(), rng: seededRng(3), generations: 30, population: 30 });
    const tasks = [
      small('long', 0, 1000, { predicted: 1000 }),
      small('mid', 1, 1000, { predicted: 100 }),
      small('short', 2, 1000, { predicted: 10 }),
    ];
    enqueueAll(p, tasks);
    p.replan(NODE, 0);
    expect(p.planOrder()).toEqual(['short', 'mid', 'long']);
  });

  it('learned policy ranks by its value function and updates with observed run times', () => {
    const weights: LearnedWeights = {
      version: 1,
      features: ['log_pred_duration', 'rel_uncertainty', 'log_dominant_share', 'log_pending_instances'],
      weights: [1, 0, 0, 0],
      agePerHour: 0,
      fitWeight: 0,
      candidates: 4,
      trainedOn: 'test',
    };
    const p = new LearnedPolicy({ placement: placement(), nodeCapacity: NODE, weights });
    const a = small('a', 0, 100, { predicted: 10, instances: 3 });
    const b = small('b', 1, 100, { predicted: 30 });
    enqueueAll(p, [a, b]);
    const c = cluster();
    const d = p.pickNext(c, 0);
    expect(d.kind === 'dispatch' && d.taskId).toBe('a');
    if (d.kind === 'dispatch') p.commit(d, 0);
    // One instance of 'a' really took 100 s: the remaining two now rank after 'b'.
    p.onInstanceEnd(a, 0, 0, 100, true);
    expect(drain(p, c, [a, b], 100)).toEqual(['b', 'a', 'a']);
  });

  it('learned policy demotes a task whose running instances outlive its prediction', () => {
    const weights: LearnedWeights = {
      version: 1,
      features: ['log_pred_duration', 'rel_uncertainty', 'log_dominant_share', 'log_pending_instances'],
      weights: [1, 0, 0, 0],
      agePerHour: 0,
      fitWeight: 0,
      candidates: 4,
      elapsedStretch: 2,
      trainedOn: 'test',
    };
    const p = new LearnedPolicy({ placement: placement(), nodeCapacity: NODE, weights });
    const a = small('a', 0, 100, { predicted: 10, instances: 2 });
    const b = small('b', 1, 100, { predicted: 30 });
    enqueueAll(p, [a, b]);
    const c = cluster();
    const first = p.pickNext(c, 0);
    if (first.kind === 'dispatch') p.commit(first, 0);
    // At t=50 a's first instance has run 50 s > 10 s predicted: a is now ranked as ≥ 100 s.
    expect(drain(p, c, [a, b], 50)).toEqual(['b', 'a']);
  });

  it('gang tasks start all instances at once or not at all', () => {
    const p = new FifoPolicy({ placement: placement() });
    const g = makeTask({ id: 'g', instances: 3, gang: true, request: { cpuMillis: 2000, memMb: 0 } });
    p.enqueue(g, 3, 0);
    expect(p.pickNext(cluster(1), 0).kind).toBe('idle'); // 6000 > 4000
    const d = p.pickNext(cluster(2), 0);
    expect(d.kind === 'dispatch' && d.nodeIndexes.length).toBe(3);
  });

  it('every registered policy drains a queue without losing or duplicating instances', () => {
    const tasks = Array.from({ length: 12 }, (_, i) =>
      makeTask({ id: `t${i}`, arrival: i, tenant: `T${i % 3}`, instances: 1 + (i % 3), predicted: 5 + i, request: { cpuMillis: 100, memMb: 64 } }),
    );
    for (const name of POLICY_NAMES) {
      const p = createPolicy(name, { placement: placement(), rng: seededRng(1), nodeCapacity: NODE });
      enqueueAll(p, tasks);
      const got = drain(p, cluster(2), tasks);
      expect(got.length).toBe(tasks.reduce((s, t) => s + t.instances, 0));
      for (const t of tasks) expect(got.filter((x) => x === t.id).length).toBe(t.instances);
      expect(p.queuedInstances).toBe(0);
    }
  });

  it.each(POLICY_NAMES.map((n) => [n]))('%s keeps the OrderingPolicy contract: enqueue, pickNext, commit, onInstanceEnd, remove', (name) => {
    const tasks = Array.from({ length: 8 }, (_, i) =>
      makeTask({ id: `c${i}`, arrival: i, tenant: `T${i % 2}`, instances: 1 + (i % 2), predicted: 3 + i, request: { cpuMillis: 1000, memMb: 256 } }),
    );
    const p = createPolicy(name, { placement: placement(), rng: seededRng(2), nodeCapacity: NODE });
    enqueueAll(p, tasks);
    expect(p.queuedTasks).toBe(8);
    expect(p.queuedInstances).toBe(12);
    // remove: the task and its instances leave the queue and are never dispatched.
    p.remove('c3');
    p.remove('not-queued');
    expect(p.queuedTasks).toBe(7);
    expect(p.queuedInstances).toBe(10);
    const c = cluster(1);
    // pickNext does not change the queue; commit takes the started instances off it.
    const first = p.pickNext(c, 10);
    expect(p.queuedInstances).toBe(10);
    expect(first.kind).toBe('dispatch');
    const started: { task: Task; node: number }[] = [];
    const dispatched: string[] = [];
    let now = 10;
    for (let guard = 0; guard < 100 && p.queuedInstances > 0; guard++) {
      const d = p.pickNext(c, now);
      if (d.kind === 'idle') {
        // onInstanceEnd: an instance finishes, its resources return, dispatching resumes.
        const r = started.shift();
        expect(r).toBeDefined();
        if (!r) break;
        c.release(r.node, r.task.request);
        now += 5;
        p.onInstanceEnd(r.task, r.node, now - 5, now, true);
        continue;
      }
      const t = tasks.find((x) => x.id === d.taskId) as Task;
      for (const n of d.nodeIndexes) {
        c.allocate(n, t.request);
        started.push({ task: t, node: n });
      }
      const before = p.queuedInstances;
      p.commit(d, now);
      expect(p.queuedInstances).toBe(before - d.nodeIndexes.length);
      dispatched.push(...d.nodeIndexes.map(() => d.taskId));
    }
    expect(p.queuedInstances).toBe(0);
    expect(p.queuedTasks).toBe(0);
    expect(dispatched).toHaveLength(10);
    expect(dispatched).not.toContain('c3');
    expect(p.pickNext(c, now)).toEqual({ kind: 'idle', reason: 'empty' });
  });
});

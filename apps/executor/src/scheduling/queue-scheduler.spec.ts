import { planPass } from './plan-assignments';
import { QueueScheduler, groupKeyOf, type PlannerNode } from './queue-scheduler';
import type { RunnableTask } from '../tasks/task.repository';

const cap = { cpuMillis: 1000, memMb: 1000, gpu: 0, io: 0, net: 0 };
const node = (id: string, over: Partial<PlannerNode> = {}): PlannerNode => ({ id, cpuMillis: 1000, memMb: 1000, usedCpu: 0, usedMem: 0, running: 0, cordoned: false, ...over });
let seq = 0;
const task = (id: string, over: Partial<RunnableTask> = {}): RunnableTask => ({
  id, name: null, tenant: 'default', queue: 'q', priority: 50, resources: { cpuMillis: 100, memMb: 10, gpu: 0 }, createdAt: new Date(1_000_000 + seq++ * 1000), predictedP50Ms: null, attempts: 0, ...over,
});

/** One pass on a single node with `slots` free, marking each dispatch started. */
function pass(s: QueueScheduler, ready: RunnableTask[], nowMs: number, slots = 1, nodes: PlannerNode[] = [node('a')]): string[] {
  s.sync(ready, nowMs);
  const out = planPass([s], nodes, slots, nowMs);
  for (const a of out) s.started(a.taskId, nowMs);
  return out.map((a) => a.taskId);
}

describe('QueueScheduler (one persistent policy per queue, as in the simulator)', () => {
  it('groups same-name tasks into one job with N instances; unnamed tasks are jobs of their own', () => {
    const a = task('a', { name: 'job' });
    expect(groupKeyOf(a)).toBe(groupKeyOf(task('b', { name: 'job' })));
    expect(groupKeyOf(a)).not.toBe(groupKeyOf(task('c', { name: 'job', priority: 1 })));
    const s = new QueueScheduler('q', { policy: 'fifo', placement: 'least-loaded' }, cap);
    s.sync([a, task('b', { name: 'job' }), task('c')], 0);
    expect(s.policy.queuedTasks).toBe(2);
    expect(s.policy.queuedInstances).toBe(3);
  });

  it('MLFQ demotes a job once its observed service passes the quantum: its next instance yields to a newer job', () => {
    const s = new QueueScheduler('q', { policy: 'mlfq', placement: 'least-loaded' }, cap);
    const long1 = task('l1', { name: 'long' });
    const long2 = task('l2', { name: 'long' });
    expect(pass(s, [long1, long2], 0)).toEqual(['l1']);
    // l1 ran 61 s (the level-0 quantum is 60 s of attained service); meanwhile a new job arrived.
    s.ended('l1', 61_000, true, 61_000);
    const short = task('s1', { name: 'short' });
    expect(pass(s, [long2, short], 61_000)).toEqual(['s1']);
  });

  it('without the observed run time (a pass-local policy) the older job would have kept its place', () => {
    const s = new QueueScheduler('q', { policy: 'mlfq', placement: 'least-loaded' }, cap);
    const long2 = task('l2b', { name: 'long-b' });
    const short = task('s1b', { name: 'short-b' });
    expect(pass(s, [long2, short], 61_000)).toEqual(['l2b']);
  });

  it('backfill holds the reservation for a blocked large head while small tasks that end before it pass', () => {
    const s = new QueueScheduler('q', { policy: 'backfill', placement: 'least-loaded' }, cap);
    // A running 600-cpu task estimated to end at t=100 s; the large head needs 900.
    const running = task('r', { resources: { cpuMillis: 600, memMb: 10, gpu: 0 }, predictedP50Ms: 100_000 });
    expect(pass(s, [running], 0)).toEqual(['r']);
    const big = task('big', { resources: { cpuMillis: 900, memMb: 10, gpu: 0 }, predictedP50Ms: 10_000 });
    const quick = task('quick', { resources: { cpuMillis: 300, memMb: 10, gpu: 0 }, predictedP50Ms: 50_000 });
    const slow = task('slow', { resources: { cpuMillis: 300, memMb: 10, gpu: 0 }, predictedP50Ms: 500_000 });
    const nodes = [node('a', { usedCpu: 600, running: 1 })];
    // slow would delay the head's shadow start (t=100): skipped; quick ends by t=60: backfilled.
    expect(pass(s, [big, slow, quick], 10_000, 10, nodes)).toEqual(['quick']);
    expect(pass(s, [big, slow], 11_000, 10, [node('a', { usedCpu: 900, running: 2 })])).toEqual([]);
  });

  it.each([
    ['reorders a job after an observed run time of one of its instances', 500_000, 'b1'],
    ['control: a run time as predicted keeps the order', 10_000, 'a2'],
  ])('sjf-online %s', (_what, observedMs, next) => {
    const s = new QueueScheduler('q', { policy: 'sjf-online', placement: 'least-loaded' }, cap);
    // "a" (3 instances, 10 s predicted) ranks before "b" (20 s predicted).
    const as = ['a1', 'a2', 'a3'].map((id) => task(id, { name: 'a', predictedP50Ms: 10_000 }));
    const b1 = task('b1', { name: 'b', predictedP50Ms: 20_000 });
    expect(pass(s, [...as, b1], 0)).toEqual(['a1']);
    s.ended('a1', observedMs, true, observedMs);
    expect(pass(s, [as[1], as[2], b1], observedMs)).toEqual([next]);
  });

  it('sjf-online keeps a job\'s observed run time while more of its members are still arriving', () => {
    const s = new QueueScheduler('q', { policy: 'sjf-online', placement: 'least-loaded' }, cap);
    // Members of "a" trickle in (one per sync, as concurrent submissions do) and all start.
    expect(pass(s, [task('a1', { name: 'a', predictedP50Ms: 200_000 })], 0)).toEqual(['a1']);
    expect(pass(s, [task('a2', { name: 'a', predictedP50Ms: 200_000 })], 0)).toEqual(['a2']);
    s.ended('a1', 1_000, true, 1_000); // "a" really takes 1 s, far under its prediction
    // A third member: it ranks with the observed 1 s, ahead of a 20 s job.
    const other = task('o1', { name: 'other', predictedP50Ms: 20_000 });
    expect(pass(s, [other, task('a3', { name: 'a', predictedP50Ms: 200_000 })], 1_000)).toEqual(['a3']);
  });

  it('a policy switch at run time keeps every queued task (and the dispatched one)', () => {
    const s = new QueueScheduler('q', { policy: 'fifo', placement: 'least-loaded' }, cap);
    const ready = Array.from({ length: 6 }, (_, i) => task(`t${i}`, { priority: i * 10, name: i % 2 ? 'odd' : null }));
    expect(pass(s, ready, 0)).toEqual(['t0']);
    s.switchPolicy({ policy: 'priority', placement: 'least-loaded' }, 1000);
    expect(s.policy.name).toBe('priority');
    expect(s.policy.queuedInstances).toBe(5);
    expect(s.readyIds().sort()).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(pass(s, ready.slice(1), 1000)).toEqual(['t5']);
    expect(s.ended('t0', 2000, true)).toBe(true);
  });

  it('a reconcile removes a task that left (cancelled, claimed elsewhere) and an unclaimed dispatch comes back', () => {
    const s = new QueueScheduler('q', { policy: 'fifo', placement: 'least-loaded' }, cap);
    const [x, y, z] = [task('x'), task('y'), task('z')];
    s.sync([x, y, z], 0);
    s.sync([x, z], 0);
    expect(s.readyIds()).toEqual(['x', 'z']);
    const out = planPass([s], [node('a')], 1, 0);
    expect(out.map((a) => a.taskId)).toEqual(['x']);
    s.unclaimed('x');
    s.sync([x, z], 0);
    expect(s.policy.queuedInstances).toBe(2);
  });

  it('keeps no per-task state once tasks are gone: thousands of unnamed tasks run, dropped or unclaimed leave the index empty', () => {
    for (const policy of ['priority', 'mlfq', 'sjf-online']) {
      const s = new QueueScheduler('q', { policy, placement: 'least-loaded' }, cap);
      let now = 0;
      let prev: string[] = [];
      for (let round = 0; round < 100; round++) {
        now += 1000;
        for (const id of prev) s.ended(id, now, true, 20);
        const ready = Array.from({ length: 20 }, (_, i) => task(`${policy}-${round}-${i}`, { name: round % 2 ? null : 'soak' }));
        s.sync(ready, now);
        const out = planPass([s], [node('a', { cpuMillis: 100_000, memMb: 100_000 })], 30, now);
        expect(out).toHaveLength(20);
        // One claim in each round does not land.
        s.unclaimed(out[0].taskId);
        for (const a of out.slice(1)) s.started(a.taskId, now);
        prev = out.slice(1).map((a) => a.taskId);
      }
      for (const id of prev) s.ended(id, now + 1000, true, 20);
      // Cancelled while queued: the next sync no longer lists them.
      s.sync(Array.from({ length: 50 }, (_, i) => task(`${policy}-gone-${i}`)), now + 2000);
      s.sync([], now + 3000);
      // 2,050 tasks seen; only the named job ('soak') is remembered.
      expect(s.rememberedJobs).toBe(1);
      expect(s.readyCount).toBe(0);
      expect(s.knows(prev[0])).toBe(false);
    }
  });
});

describe('QueueScheduler tenant weights (FairSharePolicy live)', () => {
  // Tenant a's 6 tasks are older: plain FIFO gives a every slot. The node holds 6 tasks of 150 millicores.
  const backlog = () => [
    ...Array.from({ length: 6 }, (_, i) => task(`a${i}`, { tenant: 'a', resources: { cpuMillis: 150, memMb: 10, gpu: 0 } })),
    ...Array.from({ length: 6 }, (_, i) => task(`b${i}`, { tenant: 'b', resources: { cpuMillis: 150, memMb: 10, gpu: 0 } })),
  ];
  const share = (ids: string[]) => ({ a: ids.filter((i) => i.startsWith('a')).length, b: ids.filter((i) => i.startsWith('b')).length });

  it('no weights: the plain policy (FIFO gives the older tenant everything)', () => {
    const s = new QueueScheduler('q', { policy: 'fifo', placement: 'least-loaded' }, cap);
    s.setTenantWeights(new Map([['a', 1]]), 0);
    expect(s.fairShare).toBe(false);
    expect(share(pass(s, backlog(), 0, 100))).toEqual({ a: 6, b: 0 });
  });

  it('weights 1:2 split the node 2:4 by dominant share; lifting them restores the plain policy with nothing dropped', () => {
    const s = new QueueScheduler('q', { policy: 'fifo', placement: 'least-loaded' }, cap);
    s.setTenantWeights(new Map([['a', 1], ['b', 2]]), 0);
    expect(s.fairShare).toBe(true);
    const first = pass(s, backlog(), 0, 100);
    expect(share(first)).toEqual({ a: 2, b: 4 });
    s.setTenantWeights(new Map(), 1);
    expect(s.fairShare).toBe(false);
    expect(s.readyCount).toBe(6);
    expect(s.policy.queuedInstances).toBe(6);
  });
});

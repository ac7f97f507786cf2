import { planPass, type QueuePolicy } from './plan-assignments';
import { QueueScheduler, type PlannerNode } from './queue-scheduler';
import type { LocalNode } from '../nodes/local-nodes';
import type { RunnableTask } from '../tasks/task.repository';
import { TenantRunningLedger, UNLIMITED_TENANT, type TenantLimits } from '@kairos/scheduling-core';

/** One pass from fresh per-queue state (what a new queue owner does first). */
function planAssignments(tasks: RunnableTask[], nodes: LocalNode[], maxPerNode: number, policyOf: (q: string) => QueuePolicy, nowMs: number, headroomOf?: (q: string) => number): Array<{ taskId: string; nodeId: string }> {
  const queues = [...new Set(tasks.map((t) => t.queue))];
  const cap = { cpuMillis: 1000, memMb: 1000, gpu: 0, io: 0, net: 0 };
  const schedulers = queues.map((q) => {
    const s = new QueueScheduler(q, policyOf(q), cap);
    s.sync(tasks.filter((t) => t.queue === q), nowMs);
    return s;
  });
  return planPass(schedulers, nodes, maxPerNode, nowMs, headroomOf).map(({ taskId, nodeId }) => ({ taskId, nodeId }));
}

const node = (id: string, over: Partial<LocalNode> = {}): LocalNode => ({ id, cpuMillis: 1000, memMb: 1000, usedCpu: 0, usedMem: 0, running: 0, cordoned: false, ...over });
const task = (id: string, over: Partial<RunnableTask> = {}): RunnableTask => ({
  id, name: null, tenant: 'default', queue: 'default', priority: 50, resources: { cpuMillis: 400, memMb: 100, gpu: 0 }, createdAt: new Date(1_000_000 + Number(id.replace(/\D/g, '')) * 1000), predictedP50Ms: null, attempts: 0, ...over,
});
const fixed = (policy: string): (() => QueuePolicy) => () => ({ policy, placement: 'least-loaded' });

describe('planAssignments (live executor on scheduling-core policies)', () => {
  it('orders by priority and respects capacity', () => {
    const out = planAssignments([task('t1', { priority: 1 }), task('t2', { priority: 90 }), task('t3', { priority: 50 })], [node('a')], 10, fixed('priority'), 2_000_000);
    expect(out).toEqual([{ taskId: 't2', nodeId: 'a' }, { taskId: 't3', nodeId: 'a' }]);
  });
  it('runs shortest predicted first under sjf', () => {
    const out = planAssignments([task('t1', { predictedP50Ms: 9000 }), task('t2', { predictedP50Ms: 10 }), task('t3', { predictedP50Ms: 500 })], [node('a')], 1, fixed('sjf'), 2_000_000);
    expect(out.map((a) => a.taskId)).toEqual(['t2']);
  });
  it('skips cordoned and full nodes and honours per-node slots', () => {
    const nodes = [node('a', { cordoned: true }), node('b', { running: 2 }), node('c')];
    const out = planAssignments([task('t1', { resources: { cpuMillis: 1, memMb: 1, gpu: 0 } }), task('t2', { resources: { cpuMillis: 1, memMb: 1, gpu: 0 } }), task('t3', { resources: { cpuMillis: 1, memMb: 1, gpu: 0 } })], nodes, 2, fixed('fifo'), 2_000_000);
    expect(out).toEqual([{ taskId: 't1', nodeId: 'c' }, { taskId: 't2', nodeId: 'c' }]);
  });
  it('takes queues in turn so one queue cannot starve another', () => {
    const tasks = [task('a1', { queue: 'a' }), task('a2', { queue: 'a' }), task('a3', { queue: 'a' }), task('b1', { queue: 'b' })];
    const out = planAssignments(tasks.map((t) => ({ ...t, resources: { cpuMillis: 300, memMb: 1, gpu: 0 } })), [node('n')], 10, fixed('fifo'), 2_000_000);
    expect(out.map((a) => a.taskId)).toEqual(['a1', 'b1', 'a2']);
  });
});

describe('planAssignments with throttled queues', () => {
  it('starts no more than the queue headroom', () => {
    const tasks = [task('a1', { queue: 'a' }), task('a2', { queue: 'a' }), task('b1', { queue: 'b' })].map((t) => ({ ...t, resources: { cpuMillis: 1, memMb: 1, gpu: 0 } }));
    const out = planAssignments(tasks, [node('n')], 10, fixed('fifo'), 2_000_000, (q) => (q === 'a' ? 1 : 0));
    expect(out.map((a) => a.taskId)).toEqual(['a1']);
  });
});

describe('planPass with tenant running quotas', () => {
  const quotas: Record<string, TenantLimits> = { a: { ...UNLIMITED_TENANT, maxRunningCpuMillis: 800 } };
  const limitsOf = (t: string) => quotas[t] ?? UNLIMITED_TENANT;
  const small = { cpuMillis: 300, memMb: 1, gpu: 0 };

  it.each(['fifo', 'priority', 'sjf'])('%s: a tenant at its running quota keeps its tasks queued while another tenant runs; parked work is back in the policy after the pass', (policy) => {
    // Tenant a's tasks are older (FIFO would take all three first) and of higher priority.
    const tasks = [
      task('a1', { tenant: 'a', priority: 90, resources: small }),
      task('a2', { tenant: 'a', priority: 90, resources: small }),
      task('a3', { tenant: 'a', priority: 90, resources: small }),
      task('b4', { tenant: 'b', resources: small }),
      task('b5', { tenant: 'b', resources: small }),
    ];
    const s = new QueueScheduler('default', { policy, placement: 'least-loaded' }, { cpuMillis: 4000, memMb: 1000, gpu: 0, io: 0, net: 0 });
    s.sync(tasks, 2_000_000);
    // Tenant a already runs 300 millicores elsewhere in the cluster: one more fits under 800, two do not.
    const ledger = new TenantRunningLedger(new Map([['a', { cpuMillis: 300 }]]), limitsOf);
    const out = planPass([s], [node('n', { cpuMillis: 4000 })], 10, 2_000_000, undefined, undefined, ledger);
    const ids = out.map((o) => o.taskId).sort();
    expect(ids.filter((id) => id.startsWith('a'))).toHaveLength(1);
    expect(ids.filter((id) => id.startsWith('b'))).toEqual(['b4', 'b5']);
    expect(ledger.usageOf('a').cpuMillis).toBe(600);
    expect(s.parkedCount).toBe(0);
    expect(s.readyCount).toBe(2);
    // Without the quota the rest of a's tasks dispatch in the next pass (nothing was lost by parking).
    const next = planPass([s], [node('n', { cpuMillis: 4000 })], 10, 2_000_001);
    expect(next.map((o) => o.taskId).filter((id) => id.startsWith('a'))).toHaveLength(2);
  });

  it('the quota counts GPUs from the task request and memory in every dimension', () => {
    const gpuQuota = (t: string) => (t === 'g' ? { ...UNLIMITED_TENANT, maxRunningGpus: 1 } : UNLIMITED_TENANT);
    const s = new QueueScheduler('default', { policy: 'fifo', placement: 'least-loaded' }, { cpuMillis: 4000, memMb: 1000, gpu: 4, io: 0, net: 0 });
    s.sync([task('g1', { tenant: 'g', resources: { cpuMillis: 1, memMb: 1, gpu: 1 } }), task('g2', { tenant: 'g', resources: { cpuMillis: 1, memMb: 1, gpu: 1 } })], 2_000_000);
    // The node has GPUs for both: the tenant's quota alone holds g2 back.
    const out = planPass([s], [{ ...node('n', { cpuMillis: 4000 }), gpuCount: 4 }], 10, 2_000_000, undefined, undefined, new TenantRunningLedger(new Map(), gpuQuota));
    expect(out.map((o) => o.taskId)).toEqual(['g1']);
  });
});

describe('planPass with GPU requests (live placement honours the gpu dimension)', () => {
  const pnode = (id: string, over: Partial<PlannerNode> = {}): PlannerNode => ({ id, cpuMillis: 8000, memMb: 8000, usedCpu: 0, usedMem: 0, running: 0, cordoned: false, ...over });
  const gpuTask = (id: string): RunnableTask => task(id, { resources: { cpuMillis: 100, memMb: 10, gpu: 1 } });
  const cap = { cpuMillis: 8000, memMb: 8000, gpu: 1, io: 0, net: 0 };
  const scheduler = (policy: string, tasks: RunnableTask[], nowMs: number): QueueScheduler => {
    const s = new QueueScheduler('default', { policy, placement: 'least-loaded' }, cap);
    s.sync(tasks, nowMs);
    return s;
  };

  it.each(['fifo', 'priority', 'sjf'])('%s: a GPU task goes only to the node with a free GPU, even when a CPU node is emptier', (policy) => {
    // cpu is the least loaded node by far; only g has a GPU.
    const nodes = [pnode('cpu', { cpuMillis: 64000, memMb: 64000 }), pnode('g', { usedCpu: 4000, usedMem: 4000, running: 1, gpuCount: 1 })];
    const out = planPass([scheduler(policy, [gpuTask('t1'), task('t2', { resources: { cpuMillis: 100, memMb: 10, gpu: 0 } })], 2_000_000)], nodes, 10, 2_000_000);
    expect(out.find((a) => a.taskId === 't1')?.nodeId).toBe('g');
    expect(out.find((a) => a.taskId === 't2')?.nodeId).toBe('cpu');
  });

  it('a GPU task is not placed on a cluster without GPUs', () => {
    const out = planPass([scheduler('fifo', [gpuTask('t1')], 2_000_000)], [pnode('cpu')], 10, 2_000_000);
    expect(out).toEqual([]);
  });

  it.each(['fifo', 'priority', 'sjf'])('%s: a second GPU task waits while the first holds the only device, and starts once it is released', (policy) => {
    const s = scheduler(policy, [gpuTask('t1'), gpuTask('t2')], 2_000_000);
    const first = planPass([s], [pnode('g', { gpuCount: 1 })], 10, 2_000_000);
    expect(first.map((a) => a.taskId)).toEqual(['t1']);
    s.started('t1', 2_000_000);
    // t1 runs on g (the cluster view counts its GPU): t2 stays queued, although CPU and slots are free.
    s.sync([gpuTask('t2')], 2_000_100);
    expect(planPass([s], [pnode('g', { gpuCount: 1, usedGpu: 1, usedCpu: 100, usedMem: 10, running: 1 })], 10, 2_000_100)).toEqual([]);
    s.ended('t1', 2_000_200, true, 200);
    const next = planPass([s], [pnode('g', { gpuCount: 1 })], 10, 2_000_200);
    expect(next.map((a) => ({ taskId: a.taskId, nodeId: a.nodeId }))).toEqual([{ taskId: 't2', nodeId: 'g' }]);
  });
});

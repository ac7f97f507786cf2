import { planPass, type QueuePolicy } from './plan-assignments';
import { QueueScheduler } from './queue-scheduler';
import type { LocalNode } from '../nodes/local-nodes';
import type { RunnableTask } from '../tasks/task.repository';

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
  id, name: null, queue: 'default', priority: 50, resources: { cpuMillis: 400, memMb: 100, gpu: 0 }, createdAt: new Date(1_000_000 + Number(id.replace(/\D/g, '')) * 1000), predictedP50Ms: null, attempts: 0, ...over,
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

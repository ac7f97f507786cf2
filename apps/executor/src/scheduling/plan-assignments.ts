import { ClusterState, createPlacement, createPolicy, seededRng, type Task } from '@kairos/scheduling-core';
import type { LocalNode } from '../nodes/local-nodes';
import type { RunnableTask } from '../tasks/task.repository';

export interface QueuePolicy {
  policy: string;
  placement: string;
}

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { policy: 'priority', placement: 'least-loaded' };

/**
 * One scheduling pass: the very policy and placement objects the simulator runs (libs/scheduling-core),
 * applied to the runnable tasks against this executor's nodes. Each queue is ordered by its own
 * policy; queues take turns (round robin, one dispatch each) so one busy queue cannot starve another.
 */
export function planAssignments(
  candidates: readonly RunnableTask[],
  nodes: readonly LocalNode[],
  maxPerNode: number,
  policyOf: (queue: string) => QueuePolicy,
  nowMs: number,
  /** How many more tasks of a queue may start now (throttled queues); default unlimited. */
  headroomOf: (queue: string) => number = () => Infinity,
): Array<{ taskId: string; nodeId: string }> {
  const cluster = new ClusterState(nodes.map((n) => ({ id: n.id, capacity: { cpuMillis: n.cpuMillis, memMb: n.memMb, gpu: 0, io: 0, net: 0 } })));
  const running = nodes.map((n) => n.running);
  nodes.forEach((n, i) => {
    if (n.usedCpu > 0 || n.usedMem > 0) cluster.allocate(i, { cpuMillis: Math.min(n.usedCpu, n.cpuMillis), memMb: Math.min(n.usedMem, n.memMb), gpu: 0, io: 0, net: 0 });
    if (n.cordoned || n.running >= maxPerNode) cluster.setUp(i, false);
  });
  const now = nowMs / 1000;
  const byQueue = new Map<string, RunnableTask[]>();
  for (const t of candidates) byQueue.set(t.queue, [...(byQueue.get(t.queue) ?? []), t]);
  const capacity = { cpuMillis: Math.max(...nodes.map((n) => n.cpuMillis)), memMb: Math.max(...nodes.map((n) => n.memMb)), gpu: 0, io: 0, net: 0 };
  const queues = [...byQueue.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([queue, tasks]) => {
    const qp = policyOf(queue);
    const policy = createPolicy(qp.policy, { placement: createPlacement(qp.placement), rng: seededRng(nowMs % 2 ** 31), nodeCapacity: capacity });
    for (const t of tasks) policy.enqueue(toCoreTask(t), 1, now);
    return { queue, policy, active: headroomOf(queue) > 0, headroom: headroomOf(queue) };
  });
  const out: Array<{ taskId: string; nodeId: string }> = [];
  const requestOf = new Map(candidates.map((t) => [t.id, t.resources]));
  while (queues.some((q) => q.active)) {
    for (const q of queues) {
      if (!q.active) continue;
      const d = q.policy.pickNext(cluster, now);
      if (d.kind === 'idle') {
        q.active = false;
        continue;
      }
      const r = requestOf.get(d.taskId)!;
      for (const idx of d.nodeIndexes) {
        cluster.allocate(idx, { cpuMillis: r.cpuMillis, memMb: r.memMb, gpu: 0, io: 0, net: 0 });
        out.push({ taskId: d.taskId, nodeId: nodes[idx].id });
        if (++running[idx] >= maxPerNode) cluster.setUp(idx, false);
      }
      q.policy.commit(d, now);
      q.headroom -= d.nodeIndexes.length;
      if (q.headroom <= 0) q.active = false;
    }
  }
  return out;
}

function toCoreTask(t: RunnableTask): Task {
  return {
    id: t.id,
    jobId: t.name ?? t.id,
    tenant: t.queue,
    priority: t.priority,
    request: { cpuMillis: t.resources.cpuMillis, memMb: t.resources.memMb, gpu: 0, io: 0, net: 0 },
    duration: t.predictedP50Ms !== null ? { predicted: t.predictedP50Ms / 1000 } : {},
    arrival: t.createdAt.getTime() / 1000,
    instances: 1,
    gang: false,
  };
}

import { randomUUID } from 'node:crypto';
import type { DecisionRecord } from '@kairos/contracts';
import { explainOrdering, explainPlacement, type TenantRunningLedger } from '@kairos/scheduling-core';
import { clusterOf, quotaRequestOf, type AdmitDispatch, type PlannerNode, type QueueScheduler } from './queue-scheduler';

export { DEFAULT_QUEUE_POLICY, type QueuePolicy } from './queue-scheduler';

/**
 * One scheduling pass over the queues this executor owns: each queue's persistent policy (the very
 * class the simulator drives) picks from its whole ready index against this executor's nodes; queues
 * take turns (round robin, one dispatch each) so one busy queue cannot starve another. Every returned
 * assignment has been committed to its queue's policy: the caller reports the claim's outcome back
 * (`started` or `unclaimed`).
 */
export function planPass(
  schedulers: readonly QueueScheduler[],
  nodes: readonly PlannerNode[],
  maxPerNode: number,
  nowMs: number,
  /** How many more tasks of a queue may start now (throttled queues); default unlimited. */
  headroomOf: (queue: string) => number = () => Infinity,
  /**
   * When given, one ordering DecisionRecord per dispatch (ranked policies: position, key, runner-up task)
   * and one placement DecisionRecord per assignment are appended, computed against the cluster
   * exactly as the placement saw it (before the node is allocated). O(nodes) per assignment, no I/O:
   * the caller writes them after the claim, for the claimed tasks only.
   */
  decisions?: DecisionRecord[],
  /**
   * Tenants' running usage (cluster-wide, read at the start of the pass) against their running quotas:
   * a job whose tenant is at its quota is parked for this pass (its tasks stay queued) while other
   * tenants' work is dispatched; each dispatch is charged, so one pass cannot overshoot a quota either.
   */
  tenants?: TenantRunningLedger,
): Array<{ taskId: string; nodeId: string; queue: string }> {
  const cluster = clusterOf(nodes, maxPerNode);
  const running = nodes.map((n) => n.running);
  const queues = [...schedulers]
    .filter((s) => s.readyCount > 0)
    .sort((a, b) => a.queue.localeCompare(b.queue))
    .map((s) => ({ s, headroom: headroomOf(s.queue), active: headroomOf(s.queue) > 0 }));
  const out: Array<{ taskId: string; nodeId: string; queue: string }> = [];
  const admit: AdmitDispatch | undefined = tenants ? (tenant, request, n) => tenants.admits(tenant, request, n) : undefined;
  try {
    while (queues.some((q) => q.active)) {
      for (const q of queues) {
        if (!q.active) continue;
        const picked = q.s.pick(cluster, nowMs, decisions !== undefined, admit);
        if (!picked) {
          q.active = false;
          continue;
        }
        for (const a of picked) {
          if (decisions && a.ordering) {
            decisions.push(
              explainOrdering(a.ordering.position, {
                decisionId: randomUUID(),
                at: new Date(nowMs).toISOString(),
                taskId: a.taskId,
                runnerUpTaskId: a.ordering.runnerUpTaskId,
                nodeId: nodes[a.nodeIndex].id,
                policy: q.s.spec.policy,
                queue: q.s.queue,
                waitingMs: Math.max(0, nowMs - a.member.createdAt.getTime()),
                priority: a.member.priority,
                estimateP50Ms: a.member.predictedP50Ms,
                attempt: a.member.attempts + 1,
              }),
            );
          }
          if (decisions) {
            decisions.push(
              explainPlacement(q.s.spec.placement, a.job, cluster, a.nodeIndex, {
                decisionId: randomUUID(),
                at: new Date(nowMs).toISOString(),
                taskId: a.taskId,
                orderingPolicy: q.s.spec.policy,
                queue: q.s.queue,
                waitingMs: Math.max(0, nowMs - a.member.createdAt.getTime()),
                queueLength: a.readyBefore,
                estimateP50Ms: a.member.predictedP50Ms,
                attempt: a.member.attempts + 1,
              }),
            );
          }
          cluster.allocate(a.nodeIndex, a.request);
          tenants?.charge(a.job.tenant, quotaRequestOf(a.job, a.member));
          out.push({ taskId: a.taskId, nodeId: nodes[a.nodeIndex].id, queue: q.s.queue });
          if (++running[a.nodeIndex] >= maxPerNode) cluster.setUp(a.nodeIndex, false);
        }
        q.headroom -= picked.length;
        if (q.headroom <= 0 || q.s.readyCount === 0) q.active = false;
      }
    }
  } finally {
    // Parked jobs (tenants at their quota) go back into their policies, whatever happened in the pass.
    for (const s of schedulers) s.releaseParked(nowMs);
  }
  return out;
}

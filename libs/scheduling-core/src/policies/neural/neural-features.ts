import type { ClusterState } from '../../model/cluster-state';
import type { QueueEntry } from '../../model/decision.model';
import type { Resources } from '../../model/resources';

/**
 * Inputs of the learned scheduling policy, all of them things the live executor knows when it
 * decides: the task's request, the analyzer's prediction and its uncertainty, what finished
 * instances of the task took, how many instances are pending or started, how long it has waited,
 * and the cluster's free resources. Never a queued instance's true duration.
 *
 * TASK features change only when the task itself changes (enqueue, commit, an instance of it ends,
 * its first instance outlives the estimate), so the task part of the score is cached in a ranked
 * index. CONTEXT features depend on the moment and the node the task would go to; they are computed
 * for the shortlist only. The names carry a version suffix: changing a definition changes the name,
 * and with it the feature-schema hash a weights file is checked against.
 */
export const TASK_FEATURES = [
  'log_estimate_s.v1', // ln seconds: mean observed run time of finished instances, else stretch × elapsed of a pilot that outlived the prediction, else the prediction
  'log_predicted_s.v1', // ln seconds: the analyzer's prediction at queue time
  'rel_uncertainty.v1', // ln(1 + predicted std ÷ predicted)
  'has_observed.v1', // 1 once an instance of the task has finished successfully
  'log1p_observed_n.v1', // ln(1 + finished instances)
  'pilots_out.v1', // 1 while the pilots (pilotFraction of the instances, at least one) run with nothing observed yet
  'log_instances.v1', // ln(instances of the task)
  'log1p_pending.v1', // ln(1 + instances still to start)
  'started_fraction.v1', // started ÷ instances, at most 1
  'mem_share.v1', // request ÷ node capacity (memory)
  'cpu_share.v1', // request ÷ node capacity (cpu)
  'priority.v1', // the task's priority (larger is more important)
] as const;

export const CONTEXT_FEATURES = [
  'log1p_wait_min.v1', // ln(1 + minutes since the task arrived)
  'mem_slack.v1', // free memory left on the chosen node after placing one instance ÷ node memory
  'cpu_slack.v1', // the same for cpu
  'alignment.v1', // Tetris alignment of the request with the chosen node's free vector
  'free_mem_fraction.v1', // free memory of the live cluster ÷ its capacity
  'free_cpu_fraction.v1', // the same for cpu
  'log1p_queued_tasks.v1', // ln(1 + tasks queued)
  'log1p_queued_instances.v1', // ln(1 + instances queued)
] as const;

export type TaskFeature = (typeof TASK_FEATURES)[number];
export type ContextFeature = (typeof CONTEXT_FEATURES)[number];
export const N_TASK = TASK_FEATURES.length;
export const N_CONTEXT = CONTEXT_FEATURES.length;

/** What the policy has learnt about one task from its own instances (online, in the caller's time). */
export interface TaskKnowledge {
  /** Mean run time of successfully finished instances, or undefined. */
  readonly observedMean?: number;
  readonly observedCount: number;
  /** Stretch × elapsed once the first instance outlived the prediction (while nothing finished). */
  readonly lowerBound?: number;
}

const DEFAULT_PREDICTION_S = 60;

export function predictedSeconds(e: QueueEntry): number {
  return Math.max(1, e.task.duration.predicted ?? e.task.duration.requested ?? DEFAULT_PREDICTION_S);
}

/** Current duration estimate of one instance: observed mean, else the elapsed bound, else the prediction. */
export function estimateSeconds(e: QueueEntry, k: TaskKnowledge): number {
  return Math.max(1, k.observedMean ?? k.lowerBound ?? predictedSeconds(e));
}

/** Pilots: this fraction of a task's instances (at least one) starts before the rest are held back. */
export function pilotCount(instances: number, pilotFraction: number): number {
  return Math.max(1, Math.ceil(pilotFraction * instances));
}

/** Writes the task features of `e` into `out` at `offset`. */
export function writeTaskFeatures(out: Float64Array, offset: number, e: QueueEntry, k: TaskKnowledge, nodeCapacity: Resources, pilotFraction: number): void {
  const pred = predictedSeconds(e);
  const std = e.task.duration.predictedStd ?? pred;
  const observed = k.observedMean !== undefined;
  out[offset] = Math.log(estimateSeconds(e, k));
  out[offset + 1] = Math.log(pred);
  out[offset + 2] = Math.log1p(Math.max(0, std) / pred);
  out[offset + 3] = observed ? 1 : 0;
  out[offset + 4] = Math.log1p(k.observedCount);
  out[offset + 5] = !observed && e.started >= pilotCount(e.task.instances, pilotFraction) ? 1 : 0;
  out[offset + 6] = Math.log(Math.max(1, e.task.instances));
  out[offset + 7] = Math.log1p(Math.max(0, e.pending));
  out[offset + 8] = Math.min(1, e.started / Math.max(1, e.task.instances));
  out[offset + 9] = nodeCapacity.memMb > 0 ? e.task.request.memMb / nodeCapacity.memMb : 0;
  out[offset + 10] = nodeCapacity.cpuMillis > 0 ? e.task.request.cpuMillis / nodeCapacity.cpuMillis : 0;
  out[offset + 11] = e.task.priority;
}

/** Cluster-wide part of the context, computed once per decision. */
export interface DecisionContext {
  readonly now: number;
  readonly freeMemFraction: number;
  readonly freeCpuFraction: number;
  readonly queuedTasks: number;
  readonly queuedInstances: number;
}

export function decisionContext(cluster: ClusterState, now: number, queuedTasks: number, queuedInstances: number): DecisionContext {
  const free = cluster.freeTotal();
  const cap = cluster.totalCapacity;
  return {
    now,
    freeMemFraction: cap.memMb > 0 ? free.memMb / cap.memMb : 0,
    freeCpuFraction: cap.cpuMillis > 0 ? free.cpuMillis / cap.cpuMillis : 0,
    queuedTasks,
    queuedInstances,
  };
}

/** Writes the context features of `e` placed on a node with `nodeFree` / `nodeCapacity`. */
export function writeContextFeatures(out: Float64Array, offset: number, e: QueueEntry, nodeFree: Resources, nodeCapacity: Resources, ctx: DecisionContext): void {
  const req = e.task.request;
  out[offset] = Math.log1p(Math.max(0, ctx.now - e.task.arrival) / 60);
  out[offset + 1] = nodeCapacity.memMb > 0 ? (nodeFree.memMb - req.memMb) / nodeCapacity.memMb : 0;
  out[offset + 2] = nodeCapacity.cpuMillis > 0 ? (nodeFree.cpuMillis - req.cpuMillis) / nodeCapacity.cpuMillis : 0;
  let align = 0;
  if (nodeCapacity.memMb > 0) align += (req.memMb / nodeCapacity.memMb) * (nodeFree.memMb / nodeCapacity.memMb);
  if (nodeCapacity.cpuMillis > 0) align += (req.cpuMillis / nodeCapacity.cpuMillis) * (nodeFree.cpuMillis / nodeCapacity.cpuMillis);
  out[offset + 3] = align;
  out[offset + 4] = ctx.freeMemFraction;
  out[offset + 5] = ctx.freeCpuFraction;
  out[offset + 6] = Math.log1p(ctx.queuedTasks);
  out[offset + 7] = Math.log1p(ctx.queuedInstances);
}

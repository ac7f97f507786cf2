import type { ClusterState } from '../model/cluster-state';
import type { Decision, DispatchDecision } from '../model/decision.model';
import type { Task } from '../model/task.model';
import type { OrderingPolicy } from './ordering-policy';

/** What an observer hears: the same calls the driver (simulator or live executor) makes. */
export interface PolicyObserver {
  onEnqueue?(task: Task, count: number, now: number): void;
  /** One instance of `task` started on `nodeIndex` (after the inner policy's commit). */
  onStart?(task: Task, nodeIndex: number, now: number): void;
  /** One instance stopped (before the inner policy hears of it). */
  onEnd?(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void;
  onRemove?(task: Task, pendingInstances: number): void;
}

/**
 * Forwards every call to `inner` and tells `observer` what started and stopped where: a way to
 * measure (per-tenant allocation over time) or attach per-instance state (GPU devices) without
 * touching the simulator or the policy. The driver's contract makes it exact: commit follows the
 * allocation, onInstanceEnd the release.
 */
export class ObservedPolicy implements OrderingPolicy {
  private readonly queued = new Map<string, { task: Task; pending: number }>();

  constructor(
    readonly inner: OrderingPolicy,
    private readonly observer: PolicyObserver,
  ) {}

  get name(): string {
    return this.inner.name;
  }
  get information(): OrderingPolicy['information'] {
    return this.inner.information;
  }
  get queuedTasks(): number {
    return this.inner.queuedTasks;
  }
  get queuedInstances(): number {
    return this.inner.queuedInstances;
  }

  enqueue(task: Task, count: number, now: number): void {
    this.inner.enqueue(task, count, now);
    if (!(count > 0)) return;
    const q = this.queued.get(task.id);
    if (q) q.pending += count;
    else this.queued.set(task.id, { task, pending: count });
    this.observer.onEnqueue?.(task, count, now);
  }

  pickNext(cluster: ClusterState, now: number): Decision {
    return this.inner.pickNext(cluster, now);
  }

  commit(decision: DispatchDecision, now: number): void {
    this.inner.commit(decision, now);
    const q = this.queued.get(decision.taskId);
    if (!q) return;
    q.pending -= decision.nodeIndexes.length;
    if (q.pending <= 0) this.queued.delete(decision.taskId);
    for (const n of decision.nodeIndexes) this.observer.onStart?.(q.task, n, now);
  }

  onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void {
    this.observer.onEnd?.(task, nodeIndex, startedAt, now, ok);
    this.inner.onInstanceEnd(task, nodeIndex, startedAt, now, ok);
  }

  remove(taskId: string): void {
    this.inner.remove(taskId);
    const q = this.queued.get(taskId);
    if (!q) return;
    this.queued.delete(taskId);
    this.observer.onRemove?.(q.task, q.pending);
  }
}

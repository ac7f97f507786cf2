import type { ClusterState } from '../model/cluster-state';
import {
  IDLE_EMPTY,
  IDLE_NOTHING_FITS,
  type Decision,
  type DispatchDecision,
  type QueueEntry,
} from '../model/decision.model';
import { RESOURCE_KEYS, fitsIn, type MutableResources, type Resources } from '../model/resources';
import { durationEstimate, type DurationInformation, type Task } from '../model/task.model';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

export interface BackfillOptions extends RankedPolicyOptions {
  /** Duration source for reservations: 'requested' (classic EASY), 'predicted' or 'actual'. */
  readonly information: Exclude<DurationInformation, 'none'>;
  readonly name?: string;
}

interface Running {
  readonly taskId: string;
  readonly estEnd: number;
  readonly request: Resources;
}

/**
 * FIFO with EASY backfilling: the head of the queue gets a reservation on the node where it can
 * start earliest (from estimated ends of running instances); a later task may start now if it does
 * not use the reserved node, or if it is estimated to finish before the reservation (shadow) time.
 */
export class EasyBackfillPolicy extends RankedPolicy {
  readonly name: string;
  readonly information: Exclude<DurationInformation, 'none'>;
  protected readonly mode = 'greedy' as const;
  private readonly running = new Map<number, Running[]>();
  private reservation: { headId: string; node: number; shadow: number } | null = null;

  constructor(opts: BackfillOptions) {
    super(opts);
    this.information = opts.information;
    this.name = opts.name ?? 'backfill';
  }

  protected key(e: QueueEntry): number {
    return e.task.arrival;
  }

  override pickNext(cluster: ClusterState, now: number): Decision {
    const head = this.index.at(0);
    if (!head) return IDLE_EMPTY;
    const direct = this.tryPlace(head, cluster);
    if (direct) return direct;
    const res = this.reserve(head, cluster, now);
    const maxFree = cluster.maxFree();
    // Per-dimension maximum free over the nodes other than the reserved one, computed at most once per
    // decision: a candidate that would delay the reservation is only tried elsewhere if it could fit
    // there at all (a necessary condition, so the same decisions; it spares a walk over every node for
    // each of up to scanLimit candidates when the cluster is nearly full).
    let elsewhere: Resources | null = null;
    const limit = Math.min(this.index.size, this.scanLimit);
    for (let i = 1; i < limit; i++) {
      const e = this.index.at(i);
      if (!e || e.task.gang || !fitsIn(e.task.request, maxFree)) continue;
      const n = this.placement.choose(e.task, cluster);
      if (n < 0) continue;
      if (!res || n !== res.node || now + this.estimate(e.task) <= res.shadow) {
        return { kind: 'dispatch', taskId: e.task.id, nodeIndexes: [n] };
      }
      elsewhere ??= maxFreeExcept(cluster, res.node);
      if (!fitsIn(e.task.request, elsewhere)) continue;
      for (const node of cluster.nodes) {
        if (node.index !== res.node && cluster.fits(node.index, e.task.request)) {
          return { kind: 'dispatch', taskId: e.task.id, nodeIndexes: [node.index] };
        }
      }
    }
    return IDLE_NOTHING_FITS;
  }

  protected override onCommit(e: QueueEntry, d: DispatchDecision, now: number): void {
    const est = now + this.estimate(e.task);
    for (const n of d.nodeIndexes) {
      let list = this.running.get(n);
      if (!list) this.running.set(n, (list = []));
      list.push({ taskId: e.task.id, estEnd: est, request: e.task.request });
    }
    if (this.index.at(0) === e) this.reservation = null;
  }

  override onInstanceEnd(task: Task, nodeIndex: number): void {
    const list = this.running.get(nodeIndex);
    if (list) {
      const i = list.findIndex((r) => r.taskId === task.id);
      if (i >= 0) list.splice(i, 1);
    }
    this.reservation = null;
  }

  /** Shadow time and node for the head (cached until an instance ends or the head changes). */
  private reserve(head: QueueEntry, cluster: ClusterState, now: number): { node: number; shadow: number } | null {
    if (this.reservation && this.reservation.headId === head.task.id) return this.reservation;
    let best: { headId: string; node: number; shadow: number } | null = null;
    const req = head.task.request;
    for (const node of cluster.nodes) {
      if (!node.up || !fitsIn(req, node.capacity)) continue;
      const free: MutableResources = { ...node.free };
      const list = (this.running.get(node.index) ?? []).slice().sort((a, b) => a.estEnd - b.estEnd);
      let t = now;
      let ok = fitsIn(req, free);
      for (const r of list) {
        if (ok) break;
        for (const k of RESOURCE_KEYS) free[k] += r.request[k];
        t = Math.max(now, r.estEnd);
        ok = fitsIn(req, free);
      }
      if (ok && (!best || t < best.shadow)) best = { headId: head.task.id, node: node.index, shadow: t };
    }
    this.reservation = best;
    return best;
  }

  private estimate(t: Task): number {
    return durationEstimate(t, this.information);
  }
}

/** Per-dimension maximum free amount over live nodes other than `excluded`. */
function maxFreeExcept(cluster: ClusterState, excluded: number): Resources {
  const m: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
  for (const n of cluster.nodes) {
    if (!n.up || n.index === excluded) continue;
    for (const k of RESOURCE_KEYS) if (n.free[k] > m[k]) m[k] = n.free[k];
  }
  return m;
}

import type { ClusterState, FreeSkyline } from '../model/cluster-state';
import {
  IDLE_EMPTY,
  IDLE_NOTHING_FITS,
  type Decision,
  type DispatchDecision,
  type QueueEntry,
} from '../model/decision.model';
import { RESOURCE_KEYS, fitsIn, type MutableResources, type Resources } from '../model/resources';
import { durationEstimate, type DurationInformation, type Task } from '../model/task.model';
import { REQ_STRIDE, RankedPolicy, fitsInAt, type RankedPolicyOptions } from './ordering-policy';

export interface BackfillOptions extends RankedPolicyOptions {
  /** Duration source for reservations: 'requested' (classic EASY), 'predicted' or 'actual'. */
  readonly information: Exclude<DurationInformation, 'none'>;
  readonly name?: string;
}

interface Running {
  readonly taskId: string;
  readonly estEnd: number;
  readonly request: Resources;
  /** Commit order: an ending instance of a task is its earliest-committed one on that node. */
  readonly seq: number;
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
  /** Running instances per node, sorted by estimated end (ties: commit order), kept so on insert. */
  private readonly running = new Map<number, Running[]>();
  private seq = 0;
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
    // Exact fit tests without the placement's walk over every node (ClusterState.skyline): a candidate
    // that fits no live node is skipped (choose would return -1); one that fits only the reserved node
    // would be placed there by choose (it returns a live node that fits), so it starts now iff it ends
    // before the shadow time. Only for placements whose choose has no side effects.
    const pure = !this.placement.statefulChoose;
    const anywhere = pure ? cluster.skyline() : null;
    let others: FreeSkyline | null = null;
    const limit = Math.min(this.index.size, this.scanLimit);
    const rq = this.index.packedRequests();
    for (let i = 1; i < limit; i++) {
      // Gangs and requests above the per-dimension maximum free are skipped from the packed copy of
      // the request (RankedIndex.packedRequests) without reading the entry.
      const o = i * REQ_STRIDE;
      if (rq[o + 5] !== 0 || !fitsInAt(rq, o, maxFree)) continue;
      if (anywhere) {
        if (!anywhere.fitsAt(rq, o)) continue;
        if (res) {
          others ??= cluster.skyline(res.node);
          if (!others.fitsAt(rq, o)) {
            const only = this.index.at(i);
            if (only && now + this.estimate(only.task) <= res.shadow) return { kind: 'dispatch', taskId: only.task.id, nodeIndexes: [res.node] };
            continue;
          }
        }
      }
      const e = this.index.at(i);
      if (!e) continue;
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
      // After every entry ending at or before `est`: the order a stable sort by estEnd would give.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.estEnd <= est) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, { taskId: e.task.id, estEnd: est, request: e.task.request, seq: this.seq++ });
    }
    if (this.index.at(0) === e) this.reservation = null;
  }

  override onInstanceEnd(task: Task, nodeIndex: number): void {
    const list = this.running.get(nodeIndex);
    if (list) {
      // The task's earliest-committed instance on the node (as the first match of an unsorted list).
      let i = -1;
      for (let j = 0; j < list.length; j++) {
        const r = list[j]!;
        if (r.taskId === task.id && (i < 0 || r.seq < list[i]!.seq)) i = j;
      }
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
      const list = this.running.get(node.index) ?? [];
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

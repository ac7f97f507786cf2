import type { ClusterState, FreeSkyline } from '../model/cluster-state';
import {
  IDLE_EMPTY,
  IDLE_HEAD_BLOCKED,
  IDLE_NOTHING_FITS,
  type Decision,
  type DispatchDecision,
  type QueueEntry,
} from '../model/decision.model';
import { SchedulingError } from '../model/errors';
import { RESOURCE_KEYS, fitsIn, type Resources } from '../model/resources';
import type { DurationInformation, Task } from '../model/task.model';
import { NO_NODE, placeGang, type PlacementStrategy } from '../placement/placement-strategy';

/**
 * The one plugin interface every ordering policy implements. The live executor and the simulator
 * drive it identically: `enqueue` runnable work, then loop `pickNext` → apply → `commit` until the
 * decision is idle; report each instance's end with `onInstanceEnd`. Policies keep their own
 * incremental index so `pickNext` stays cheap with 10,000 queued tasks.
 */
export interface OrderingPolicy {
  readonly name: string;
  /** Which duration source the policy reads (see docs/bench-schedule.md). */
  readonly information: DurationInformation;
  readonly queuedTasks: number;
  readonly queuedInstances: number;
  /** `count` instances of `task` became runnable (new arrival or retries). */
  enqueue(task: Task, count: number, now: number): void;
  /** Next dispatch (a task plus node(s)), or why nothing can start. Does not mutate the queue. */
  pickNext(cluster: ClusterState, now: number): Decision;
  /** The caller applied `decision` (allocated its nodes); take the started instances off the queue. */
  commit(decision: DispatchDecision, now: number): void;
  /** One instance of `task` stopped on `nodeIndex` (finished when ok, else failed or lost). */
  onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void;
  /** Drop a task from the queue (cancelled). */
  remove(taskId: string): void;
}

/** Numbers per rank in RankedIndex.packedRequests(): the five request dimensions, then 1 for a gang. */
export const REQ_STRIDE = 6;

/** fitsIn(request packed at `rq[o…o+4]`, free): the same comparisons, on the packed copy. */
export function fitsInAt(rq: Float64Array, o: number, free: Resources): boolean {
  return (
    rq[o]! <= free.cpuMillis + 1e-9 &&
    rq[o + 1]! <= free.memMb + 1e-9 &&
    rq[o + 2]! <= free.gpu + 1e-9 &&
    rq[o + 3]! <= free.io + 1e-9 &&
    rq[o + 4]! <= free.net + 1e-9
  );
}

/** Sorted array of entries by (key, seq): O(log n) search, memmove insert/delete; fast at 10^4. */
export class RankedIndex {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: QueueEntry[] = [];
  /**
   * The entries' requests (and gang flag) in rank order, REQ_STRIDE numbers each, moved with the
   * entries: a scan reads them from one contiguous block instead of chasing entry → task → request
   * for every one of thousands of queued tasks that do not fit.
   */
  private req = new Float64Array(REQ_STRIDE * 64);
  private readonly pos = new Map<string, { key: number; seq: number; entry: QueueEntry }>();
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  has(taskId: string): boolean {
    return this.pos.has(taskId);
  }

  at(i: number): QueueEntry | undefined {
    return this.items[i];
  }

  get(taskId: string): QueueEntry | undefined {
    return this.pos.get(taskId)?.entry;
  }

  /**
   * Requests in rank order: rank i's request is at [i·REQ_STRIDE, i·REQ_STRIDE + 5), then 1 if its
   * task is a gang, else 0. The same array until an insert grows it; read it again after a change.
   */
  packedRequests(): Float64Array {
    return this.req;
  }

  private openAt(i: number): void {
    const n = this.items.length;
    if ((n + 1) * REQ_STRIDE > this.req.length) {
      const grown = new Float64Array(this.req.length * 2);
      grown.set(this.req);
      this.req = grown;
    }
    this.req.copyWithin((i + 1) * REQ_STRIDE, i * REQ_STRIDE, n * REQ_STRIDE);
  }

  private closeAt(i: number): void {
    this.req.copyWithin(i * REQ_STRIDE, (i + 1) * REQ_STRIDE, this.items.length * REQ_STRIDE);
  }

  private writeAt(i: number, e: QueueEntry): void {
    const r = e.task.request;
    const o = i * REQ_STRIDE;
    this.req[o] = r.cpuMillis;
    this.req[o + 1] = r.memMb;
    this.req[o + 2] = r.gpu;
    this.req[o + 3] = r.io;
    this.req[o + 4] = r.net;
    this.req[o + 5] = e.task.gang ? 1 : 0;
  }

  /** Entries in rank order (a copy). */
  toArray(): QueueEntry[] {
    return this.items.slice();
  }

  keyOf(taskId: string): number | undefined {
    return this.pos.get(taskId)?.key;
  }

  /** 0-based position of `taskId` in rank order, or -1 when it is not queued. O(log n). */
  rankOf(taskId: string): number {
    const p = this.pos.get(taskId);
    return p ? this.lowerBound(p.key, p.seq) : -1;
  }

  insert(entry: QueueEntry, key: number): void {
    if (this.pos.has(entry.task.id)) throw new SchedulingError('INVALID_TASK', `task ${entry.task.id} queued twice`);
    const seq = this.nextSeq++;
    const i = this.lowerBound(key, seq);
    this.openAt(i);
    this.writeAt(i, entry);
    this.keys.splice(i, 0, key);
    this.seqs.splice(i, 0, seq);
    this.items.splice(i, 0, entry);
    this.pos.set(entry.task.id, { key, seq, entry });
  }

  remove(taskId: string): QueueEntry | undefined {
    const p = this.pos.get(taskId);
    if (!p) return undefined;
    const i = this.lowerBound(p.key, p.seq);
    const e = this.items[i];
    this.closeAt(i);
    this.keys.splice(i, 1);
    this.seqs.splice(i, 1);
    this.items.splice(i, 1);
    this.pos.delete(taskId);
    return e;
  }

  /** Re-rank keeping the original sequence number (stable FIFO tie-break). */
  rekey(taskId: string, key: number): void {
    const p = this.pos.get(taskId);
    if (!p || p.key === key) return;
    const i = this.lowerBound(p.key, p.seq);
    const e = this.items[i];
    if (!e) return;
    this.closeAt(i);
    this.keys.splice(i, 1);
    this.seqs.splice(i, 1);
    this.items.splice(i, 1);
    const j = this.lowerBound(key, p.seq);
    this.openAt(j);
    this.writeAt(j, e);
    this.keys.splice(j, 0, key);
    this.seqs.splice(j, 0, p.seq);
    this.items.splice(j, 0, e);
    p.key = key;
  }

  private lowerBound(key: number, seq: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = this.keys[mid] ?? 0;
      if (k < key || (k === key && (this.seqs[mid] ?? 0) < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export type ScanMode = 'strict' | 'greedy';

/** A task's place in a ranked policy's queue (see RankedPolicy.rankOf). */
export interface RankPosition {
  rank: number;
  key: number;
  queued: number;
  /** The best-ranked other queued task: the head, or the second when `rank` is 0. */
  other: { taskId: string; key: number; rank: number } | null;
}

/**
 * Requests that found no node during one scan. A request at least as large in every dimension
 * cannot fit either, so the scan skips it without asking the placement (keeps p99 low when the
 * cluster is full and thousands of tasks wait).
 */
export class FailedShapes {
  private readonly shapes: Resources[] = [];
  constructor(private readonly cap = 8) {}
  add(r: Resources): void {
    if (this.shapes.length < this.cap) this.shapes.push(r);
  }
  dominated(r: Resources): boolean {
    for (const f of this.shapes) if (fitsIn(f, r)) return true;
    return false;
  }
  /** dominated() of the request packed at rq[o…o+4] (RankedIndex.packedRequests). */
  dominatedAt(rq: Float64Array, o: number): boolean {
    for (const f of this.shapes) {
      if (f.cpuMillis <= rq[o]! + 1e-9 && f.memMb <= rq[o + 1]! + 1e-9 && f.gpu <= rq[o + 2]! + 1e-9 && f.io <= rq[o + 3]! + 1e-9 && f.net <= rq[o + 4]! + 1e-9) return true;
    }
    return false;
  }
  addAt(rq: Float64Array, o: number): void {
    if (this.shapes.length < this.cap) this.shapes.push({ cpuMillis: rq[o]!, memMb: rq[o + 1]!, gpu: rq[o + 2]!, io: rq[o + 3]!, net: rq[o + 4]! });
  }
}

export interface RankedPolicyOptions {
  readonly placement: PlacementStrategy;
  /** How far down the ranked queue `greedy` looks for something that fits (bounds latency). */
  readonly scanLimit?: number;
}

/**
 * Base for policies that rank tasks by a key (lower runs first). `strict` only ever starts the head
 * (head-of-line blocking, textbook FCFS); `greedy` starts the best-ranked task that fits now.
 * Keys must not depend on `now` except through a common shift (aging is `-α·arrival`), so the
 * index never needs a global re-sort.
 */
export abstract class RankedPolicy implements OrderingPolicy {
  abstract readonly name: string;
  abstract readonly information: DurationInformation;
  protected readonly index = new RankedIndex();
  protected readonly placement: PlacementStrategy;
  protected readonly scanLimit: number;
  protected abstract readonly mode: ScanMode;
  private instances = 0;

  constructor(opts: RankedPolicyOptions) {
    this.placement = opts.placement;
    this.scanLimit = opts.scanLimit ?? 4096;
  }

  protected abstract key(entry: QueueEntry, now: number): number;

  get queuedTasks(): number {
    return this.index.size;
  }

  get queuedInstances(): number {
    return this.instances;
  }

  enqueue(task: Task, count: number, now: number): void {
    if (!(count > 0)) return;
    this.instances += count;
    if (this.index.has(task.id)) {
      const e = this.entry(task.id);
      if (e) {
        e.pending += count;
        this.afterChange(e, now);
      }
      return;
    }
    const e: QueueEntry = { task, pending: count, started: 0, enqueuedAt: now };
    this.index.insert(e, this.key(e, now));
  }

  pickNext(cluster: ClusterState, now: number): Decision {
    if (this.index.size === 0) return IDLE_EMPTY;
    if (this.mode === 'strict') {
      const head = this.index.at(0);
      const d = head ? this.tryPlace(head, cluster) : null;
      return d ?? IDLE_HEAD_BLOCKED;
    }
    const d = this.scanGreedy(cluster, now);
    return d ?? IDLE_NOTHING_FITS;
  }

  commit(decision: DispatchDecision, now: number): void {
    const e = this.entry(decision.taskId);
    if (!e) throw new SchedulingError('UNKNOWN_TASK', `commit for task ${decision.taskId} that is not queued`);
    const n = decision.nodeIndexes.length;
    e.pending -= n;
    e.started += n;
    this.instances -= n;
    for (const idx of decision.nodeIndexes) this.placement.committed(idx);
    this.onCommit(e, decision, now);
    if (e.pending <= 0) this.index.remove(e.task.id);
    else this.afterChange(e, now);
  }

  onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void {
    void task;
    void nodeIndex;
    void startedAt;
    void now;
    void ok;
  }

  remove(taskId: string): void {
    const e = this.index.remove(taskId);
    if (e) this.instances -= e.pending;
  }

  protected onCommit(entry: QueueEntry, decision: DispatchDecision, now: number): void {
    void entry;
    void decision;
    void now;
  }

  /** Called when an entry's pending count changed; re-rank if the key depends on it. */
  protected afterChange(entry: QueueEntry, now: number): void {
    void entry;
    void now;
  }

  protected entry(taskId: string): QueueEntry | undefined {
    return this.index.get(taskId);
  }

  /**
   * Where a queued task stands in this policy's ranked index (lower key runs first), for decision records:
   * its position and key, and the best-ranked other entry with its key (the head when the task is not
   * the head, else the second). Call before `commit` (which may remove the entry). O(log n).
   */
  rankOf(taskId: string): RankPosition | null {
    const rank = this.index.rankOf(taskId);
    const key = this.index.keyOf(taskId);
    if (rank < 0 || key === undefined) return null;
    const other = this.index.at(rank === 0 ? 1 : 0);
    const otherKey = other ? this.index.keyOf(other.task.id) : undefined;
    return { rank, key, queued: this.index.size, other: other && otherKey !== undefined ? { taskId: other.task.id, key: otherKey, rank: rank === 0 ? 1 : 0 } : null };
  }

  protected scanGreedy(cluster: ClusterState, now: number): DispatchDecision | null {
    void now;
    const maxFree = cluster.maxFree();
    const limit = Math.min(this.index.size, this.scanLimit);
    const failed = new FailedShapes();
    const sky = this.skylineFor(cluster);
    const rq = this.index.packedRequests();
    for (let i = 0; i < limit; i++) {
      if (this.cannotStartAt(rq, i * REQ_STRIDE, maxFree, failed, sky)) continue;
      const e = this.index.at(i);
      if (!e) continue;
      const d = this.tryPlace(e, cluster);
      if (d) return d;
      if (!e.task.gang) failed.add(e.task.request);
    }
    return null;
  }

  /** The cluster's skyline for exact fit tests, or null when the placement's `choose` has side effects. */
  protected skylineFor(cluster: ClusterState): FreeSkyline | null {
    return this.placement.statefulChoose ? null : cluster.skyline();
  }

  /**
   * True when the entry at packed offset `o` cannot start this decision, decided from its packed
   * request alone (no entry, task or placement walk): it exceeds the per-dimension maximum free, or a
   * request that already found no node is no larger (FailedShapes), or — a single instance, with a
   * side-effect-free placement — it fits no live node (ClusterState.skyline, exact: `choose` would
   * return -1, as it only returns a live node that fits). Each is a case where the scan skipped the
   * entry or tryPlace returned null before, so decisions are unchanged.
   */
  protected cannotStartAt(rq: Float64Array, o: number, maxFree: Resources, failed: FailedShapes, sky: FreeSkyline | null): boolean {
    if (!fitsInAt(rq, o, maxFree) || failed.dominatedAt(rq, o)) return true;
    if (sky && rq[o + 5] === 0 && !sky.fitsAt(rq, o)) {
      failed.addAt(rq, o);
      return true;
    }
    return false;
  }

  /** A dispatch for the entry's next instance (or its whole gang), or null if it does not fit. */
  protected tryPlace(e: QueueEntry, cluster: ClusterState): DispatchDecision | null {
    if (e.task.gang) {
      const total = cluster.freeTotal();
      for (const k of RESOURCE_KEYS) if (e.task.request[k] * e.pending > total[k] + 1e-9) return null;
      const nodes = placeGang(e.task, e.pending, cluster, this.placement);
      return nodes ? { kind: 'dispatch', taskId: e.task.id, nodeIndexes: nodes } : null;
    }
    const n = this.placement.choose(e.task, cluster);
    return n === NO_NODE ? null : { kind: 'dispatch', taskId: e.task.id, nodeIndexes: [n] };
  }
}

import type { CompiledDagProblem, DagSchedule } from './dag-schedule.model';

/** Where a task would go: a core, its start time and the index of the idle gap it fills on that core. */
export interface DagPlacement {
  readonly task: number;
  readonly core: number;
  readonly start: number;
  /** Position in the core's sorted slot list. */
  readonly slot: number;
}

/**
 * A partial insertion-based list schedule: the tasks placed so far (each on one core for its cost on that
 * core's machine), the ready set, and what every core is doing. List schedulers (HEFT, PEFT) run it to the
 * end in one pass; the rollout scheduler clones it to look ahead. The continuation of a fixed rule from a
 * state depends only on the state, which is what makes rollouts sequentially consistent.
 */
export class DagPartialSchedule {
  readonly start: Float64Array;
  readonly finish: Float64Array;
  readonly coreOf: Int32Array;
  /** Predecessors not yet placed. */
  readonly waiting: Int32Array;
  /** Unplaced tasks whose predecessors are all placed. */
  readonly ready: number[];
  /** Per core: start and end of the tasks on it, sorted by start. */
  readonly slotStart: number[][];
  readonly slotEnd: number[][];
  placed: number;
  makespan: number;
  private readonly readyAt: Float64Array;
  private readonly emptySeen: Uint8Array;

  private constructor(
    readonly cp: CompiledDagProblem,
    readonly topoPos: Int32Array,
    from?: DagPartialSchedule,
  ) {
    const cores = cp.machineOfCore.length;
    this.readyAt = new Float64Array(cp.machineCount);
    this.emptySeen = new Uint8Array(cp.machineCount);
    if (from) {
      this.start = Float64Array.from(from.start);
      this.finish = Float64Array.from(from.finish);
      this.coreOf = Int32Array.from(from.coreOf);
      this.waiting = Int32Array.from(from.waiting);
      this.ready = from.ready.slice();
      this.slotStart = from.slotStart.map((s) => s.slice());
      this.slotEnd = from.slotEnd.map((s) => s.slice());
      this.placed = from.placed;
      this.makespan = from.makespan;
      return;
    }
    const { dag, n } = cp;
    this.start = new Float64Array(n);
    this.finish = new Float64Array(n);
    this.coreOf = new Int32Array(n).fill(-1);
    this.waiting = Int32Array.from(dag.preds.map((p) => p.length));
    this.ready = [];
    for (let u = 0; u < n; u++) if (this.waiting[u] === 0) this.ready.push(u);
    this.slotStart = Array.from({ length: cores }, () => []);
    this.slotEnd = Array.from({ length: cores }, () => []);
    this.placed = 0;
    this.makespan = 0;
  }

  static empty(cp: CompiledDagProblem): DagPartialSchedule {
    const topoPos = new Int32Array(cp.n);
    cp.dag.topo.forEach((u, i) => (topoPos[u] = i));
    return new DagPartialSchedule(cp, topoPos);
  }

  clone(): DagPartialSchedule {
    return new DagPartialSchedule(this.cp, this.topoPos, this);
  }

  get done(): boolean {
    return this.placed === this.cp.n;
  }

  /** Index in `ready` of the task with the highest priority (ties: earlier in topological order). */
  pickReady(priority: ArrayLike<number>): number {
    const ready = this.ready;
    let pick = 0;
    for (let k = 1; k < ready.length; k++) {
      const a = ready[k];
      const b = ready[pick];
      if (priority[a] > priority[b] || (priority[a] === priority[b] && this.topoPos[a] < this.topoPos[b])) pick = k;
    }
    return pick;
  }

  /** Fills readyAt[m] with the time u's inputs are all available on machine m. */
  private computeReadyAt(u: number): Float64Array {
    const { dag, machineCount: M, machineOfCore } = this.cp;
    const preds = dag.preds[u];
    const comm = this.cp.predComm[u];
    const readyAt = this.readyAt;
    for (let m = 0; m < M; m++) {
      let r = 0;
      for (let k = 0; k < preds.length; k++) {
        const p = preds[k];
        const t = this.finish[p] + (machineOfCore[this.coreOf[p]] === m ? 0 : comm[k]);
        if (t > r) r = t;
      }
      readyAt[m] = r;
    }
    return readyAt;
  }

  /**
   * The earliest-finish placement of ready task u (insertion into the first idle gap long enough), scored by
   * finish time plus `oct[u * M + m]` when given (PEFT). Restricted to machine `onlyMachine` when >= 0.
   * Ties go to the lowest core index; empty cores of one machine are interchangeable, so only the first is
   * evaluated.
   */
  bestPlacement(u: number, oct?: Float64Array, onlyMachine = -1): DagPlacement & { readonly score: number } {
    const { machineCount: M, machineOfCore, cost } = this.cp;
    const cores = machineOfCore.length;
    const readyAt = this.computeReadyAt(u);
    const emptySeen = this.emptySeen;
    emptySeen.fill(0);
    let bestCore = -1;
    let bestScore = Infinity;
    let bestStart = 0;
    let bestIdx = 0;
    for (let c = 0; c < cores; c++) {
      const m = machineOfCore[c];
      if (onlyMachine >= 0 && m !== onlyMachine) continue;
      const dur = cost[u * M + m];
      const ss = this.slotStart[c];
      const se = this.slotEnd[c];
      let s = readyAt[m];
      let idx: number;
      if (ss.length === 0) {
        if (emptySeen[m]) continue;
        emptySeen[m] = 1;
        idx = 0;
      } else {
        // A gap that closes before s cannot hold the task; skip to the first slot starting at or after s.
        let lo = 0;
        let hi = ss.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (ss[mid] < s) lo = mid + 1;
          else hi = mid;
        }
        idx = ss.length;
        let prevEnd = lo === 0 ? 0 : se[lo - 1];
        for (let k = lo; k < ss.length; k++) {
          const cand = Math.max(s, prevEnd);
          if (cand + dur <= ss[k]) {
            idx = k;
            break;
          }
          prevEnd = se[k];
        }
        if (idx === ss.length) s = Math.max(s, prevEnd);
        else s = Math.max(s, idx === 0 ? 0 : se[idx - 1]);
      }
      const score = s + dur + (oct ? oct[u * M + m] : 0);
      if (score < bestScore) {
        bestScore = score;
        bestCore = c;
        bestStart = s;
        bestIdx = idx;
      }
    }
    return { task: u, core: bestCore, start: bestStart, slot: bestIdx, score: bestScore };
  }

  /** Commits a placement returned by bestPlacement on this state (or on a clone taken before any change). */
  place(p: DagPlacement): void {
    const k = this.ready.indexOf(p.task);
    this.ready[k] = this.ready[this.ready.length - 1];
    this.ready.pop();
    this.commit(p, this.ready);
  }

  /** Records the placement and pushes the successors it makes ready onto `readyOut`. */
  private commit(p: DagPlacement, readyOut: { push(v: number): void }): void {
    const { cp } = this;
    const u = p.task;
    const m = cp.machineOfCore[p.core];
    const end = p.start + cp.cost[u * cp.machineCount + m];
    this.slotStart[p.core].splice(p.slot, 0, p.start);
    this.slotEnd[p.core].splice(p.slot, 0, end);
    this.start[u] = p.start;
    this.finish[u] = end;
    this.coreOf[u] = p.core;
    if (end > this.makespan) this.makespan = end;
    this.placed++;
    for (const v of cp.dag.succs[u]) {
      this.waiting[v] -= 1;
      if (this.waiting[v] === 0) readyOut.push(v);
    }
  }

  /** Runs the list rule (priority order, earliest finish [+ OCT] placement) until every task is placed. */
  complete(priority: ArrayLike<number>, oct?: Float64Array): this {
    this.run(priority, oct, undefined, Infinity);
    return this;
  }

  /**
   * Like complete, but gives up (returns false) as soon as some placed task's finish plus its `tail` (a lower
   * bound on the time from its finish to the makespan) exceeds `limit`: the finished schedule could not
   * end by `limit` then.
   */
  completeWithin(priority: ArrayLike<number>, tail: Float64Array, limit: number): boolean {
    for (let u = 0; u < this.cp.n; u++) if (this.coreOf[u] >= 0 && this.finish[u] + tail[u] > limit) return false;
    return this.run(priority, undefined, tail, limit);
  }

  /** The list rule with the ready set in a heap (same order as pickReady: priority, then topological). */
  private run(priority: ArrayLike<number>, oct: Float64Array | undefined, tail: Float64Array | undefined, limit: number): boolean {
    const heap = new ReadyHeap(priority, this.topoPos, this.ready);
    this.ready.length = 0;
    while (heap.size > 0) {
      const u = heap.pop();
      const p = this.bestPlacement(u, oct);
      this.commit(p, heap);
      if (tail && this.finish[u] + tail[u] > limit) {
        this.ready.push(...heap.items());
        return false;
      }
    }
    return true;
  }

  toSchedule(algorithm: string): DagSchedule {
    const { cp } = this;
    const tasks = cp.dag.ids.map((id, u) => {
      const mi = cp.machineOfCore[this.coreOf[u]];
      return { task: id, machine: cp.machines[mi].id, core: this.coreOf[u] - cp.firstCore[mi], start: this.start[u], finish: this.finish[u] };
    });
    return { algorithm, makespan: this.makespan, tasks };
  }
}

/** Max-heap of ready tasks by (priority desc, topological position asc): a strict total order. */
class ReadyHeap {
  private readonly heap: number[] = [];

  constructor(
    private readonly priority: ArrayLike<number>,
    private readonly topoPos: Int32Array,
    initial: readonly number[],
  ) {
    for (const u of initial) this.push(u);
  }

  get size(): number {
    return this.heap.length;
  }

  items(): number[] {
    return this.heap.slice();
  }

  private above(a: number, b: number): boolean {
    const pa = this.priority[a];
    const pb = this.priority[b];
    return pa > pb || (pa === pb && this.topoPos[a] < this.topoPos[b]);
  }

  push(v: number): void {
    const h = this.heap;
    h.push(v);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.above(h[i], h[parent])) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as number;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.above(h[l], h[m])) m = l;
        if (r < h.length && this.above(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Insertion-based list scheduling. At each step the ready task (all predecessors placed) with the highest
 * priority is placed on the core that minimises its finish time (plus `oct[t * M + m]` for PEFT), using the
 * earliest idle gap long enough on that core.
 */
export function dagListSchedule(cp: CompiledDagProblem, priority: ArrayLike<number>, algorithm: string, oct?: Float64Array): DagSchedule {
  return DagPartialSchedule.empty(cp).complete(priority, oct).toSchedule(algorithm);
}

import type { CompiledDagProblem } from './dag-schedule.model';

// Lower bounds on the makespan of any schedule of a compiled problem: every task runs without preemption on
// one core, after all its predecessors. All bounds relax transfers to zero (any schedule with transfers is
// also a schedule of the relaxed problem, so a bound of the relaxation bounds both) and charge each task its
// fastest cost `minCost`; a core of machine m does at most `coreRate[m]` seconds of fastest-cost work per
// second, so the cluster does at most `capacity` (= sum of core rates) per second. Proofs: docs/bench-dag.md.

export interface DagLowerBound {
  /** max(criticalPath, workBound): the bound the definition names (BENCHMARKS.md). */
  readonly lowerBound: number;
  /** Longest path with each task at its fastest cost, transfers free. */
  readonly criticalPath: number;
  /** Total fastest-cost work / capacity (speed-weighted core count). */
  readonly workBound: number;
  /** For a task t: ancestors' work / capacity + longest path from t; symmetrically for descendants. */
  readonly ancestorBound: number;
  /** Any set of tasks: min release + its work / capacity + min tail (Horn / energetic reasoning). */
  readonly energeticBound: number;
  /**
   * Any set of tasks: min release + the time its N longest tasks need when no core can run more of them
   * than fit back to back (the pigeonhole argument: kP + 1 tasks on P cores put k + 1 on one core) + min tail.
   */
  readonly packingBound: number;
  /** The largest of all of the above: the bound the benchmark measures gaps against. */
  readonly strongLowerBound: number;
}

/** Bitsets of ancestors and descendants cost O(n^2 / 32) words: fine up to this many tasks. */
const MAX_TASKS_FOR_SET_BOUNDS = 20000;
/** The packing step on every ancestor / descendant set: fine up to this many tasks. */
const MAX_TASKS_FOR_PACKING_HEADS = 5000;
/** Thresholds tried by the set bounds (any subset of thresholds gives a valid bound). */
const MAX_THRESHOLDS = 256;
const PACKING_THRESHOLDS = 32;
/** With several rate classes the packing bound looks at the N longest tasks for N up to this × cores + 1. */
const MAX_PACKING_PREFIX_PER_CORE = 4;

/** Distinct values, ascending; evenly spaced ranks of them when there are more than `max`. */
function thresholds(values: Float64Array, max = MAX_THRESHOLDS): number[] {
  const distinct = [...new Set(Array.from(values))].sort((a, b) => a - b);
  if (distinct.length <= max) return distinct;
  return Array.from({ length: max }, (_, i) => distinct[Math.floor((i * (distinct.length - 1)) / (max - 1))]);
}

/** Machines grouped by core rate, fastest first. */
interface RateClass {
  readonly rate: number;
  readonly cores: number;
}

function rateClasses(cp: CompiledDagProblem): RateClass[] {
  const byRate = new Map<number, number>();
  cp.machines.forEach((m, i) => byRate.set(cp.coreRate[i], (byRate.get(cp.coreRate[i]) ?? 0) + m.cores));
  return [...byRate].map(([rate, cores]) => ({ rate, cores })).sort((a, b) => b.rate - a.rate);
}

export function dagLowerBound(cp: CompiledDagProblem): DagLowerBound {
  const { dag, n, minCost, capacity } = cp;
  const classes = rateClasses(cp);
  let work = 0;
  for (let t = 0; t < n; t++) work += minCost[t];
  // head[t]: a lower bound on t's start; tail[t]: on the time from t's finish to the makespan.
  const head = new Float64Array(n);
  const tail = new Float64Array(n);
  const propagate = (): void => {
    for (const u of dag.topo) for (const p of dag.preds[u]) head[u] = Math.max(head[u], head[p] + minCost[p]);
    for (let k = dag.topo.length - 1; k >= 0; k--) {
      const u = dag.topo[k];
      for (const s of dag.succs[u]) tail[u] = Math.max(tail[u], tail[s] + minCost[s]);
    }
  };
  propagate();
  let cpLen = 0;
  for (let u = 0; u < n; u++) cpLen = Math.max(cpLen, head[u] + minCost[u] + tail[u]);
  const workBound = n === 0 ? 0 : work / capacity;
  const lowerBound = Math.max(cpLen, workBound);

  let ancestorBound = lowerBound;
  if (n <= MAX_TASKS_FOR_SET_BOUNDS) {
    const anc = closure(cp, 'ancestors');
    const desc = closure(cp, 'descendants');
    const ancHead = new Float64Array(n);
    const descTail = new Float64Array(n);
    const packCache = new Map<string, number>();
    for (let u = 0; u < n; u++) {
      // All ancestors finish before u starts; u and all its descendants run after u starts.
      const a = setWork(anc[u], minCost) / capacity;
      const d = setWork(desc[u], minCost) / capacity;
      ancestorBound = Math.max(ancestorBound, a + minCost[u] + tail[u], head[u] + minCost[u] + d);
      ancHead[u] = a;
      descTail[u] = d;
    }
    // The packing argument inside each ancestor set (they all run between their releases and u's start) and
    // each descendant set (between u's finish and their tails), with the chain heads and tails as they are
    // before this step; identical sets are computed once.
    if (n <= MAX_TASKS_FOR_PACKING_HEADS) {
      const head0 = Float64Array.from(head);
      const tail0 = Float64Array.from(tail);
      for (let u = 0; u < n; u++) {
        ancHead[u] = Math.max(ancHead[u], cachedPacking(packCache, 'a', anc[u], minCost, head0, new Float64Array(n), classes));
        descTail[u] = Math.max(descTail[u], cachedPacking(packCache, 'd', desc[u], minCost, new Float64Array(n), tail0, classes));
      }
    }
    for (let u = 0; u < n; u++) {
      head[u] = Math.max(head[u], ancHead[u]);
      tail[u] = Math.max(tail[u], descTail[u]);
    }
    propagate();
  }
  const energeticBound = energetic(head, tail, minCost, capacity);
  const packingBound = packingOverThresholds(head, tail, minCost, classes);
  let chain = 0;
  for (let u = 0; u < n; u++) chain = Math.max(chain, head[u] + minCost[u] + tail[u]);
  const strongLowerBound = Math.max(lowerBound, ancestorBound, energeticBound, packingBound, chain);
  return { lowerBound, criticalPath: cpLen, workBound, ancestorBound, energeticBound, packingBound, strongLowerBound };
}

function closure(cp: CompiledDagProblem, direction: 'ancestors' | 'descendants'): Uint32Array[] {
  const { dag, n } = cp;
  const words = Math.ceil(n / 32);
  const out: Uint32Array[] = new Array<Uint32Array>(n);
  const order = direction === 'ancestors' ? dag.topo : [...dag.topo].reverse();
  const next = direction === 'ancestors' ? dag.preds : dag.succs;
  for (const u of order) {
    const bits = new Uint32Array(words);
    for (const v of next[u]) {
      bits[v >>> 5] |= 1 << (v & 31);
      const bv = out[v];
      for (let w = 0; w < words; w++) bits[w] |= bv[w];
    }
    out[u] = bits;
  }
  return out;
}

function members(bits: Uint32Array): number[] {
  const out: number[] = [];
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w];
    while (x !== 0) {
      const low = x & -x;
      out.push((w << 5) + (31 - Math.clz32(low)));
      x ^= low;
    }
  }
  return out;
}

function setWork(bits: Uint32Array, minCost: Float64Array): number {
  let sum = 0;
  for (const t of members(bits)) sum += minCost[t];
  return sum;
}

/**
 * max over thresholds (r, q) of r + W(r, q) / capacity + q, where W(r, q) is the work of the tasks with
 * head >= r and tail >= q: all of it runs inside [r, makespan - q]. O(n^2) after sorting.
 */
function energetic(head: Float64Array, tail: Float64Array, minCost: Float64Array, capacity: number): number {
  const n = head.length;
  const byTail = Array.from({ length: n }, (_, i) => i).sort((a, b) => tail[b] - tail[a]);
  let best = 0;
  for (const r of thresholds(head)) {
    let w = 0;
    for (const t of byTail) {
      if (head[t] < r) continue;
      w += minCost[t];
      best = Math.max(best, r + w / capacity + tail[t]);
    }
  }
  return best;
}

/**
 * The packing bound over the sets {head >= r, tail >= q} for release and tail thresholds (r, q): each set's
 * tasks, longest first, are passed to `packingOfSorted`.
 */
function packingOverThresholds(head: Float64Array, tail: Float64Array, minCost: Float64Array, classes: readonly RateClass[]): number {
  const n = head.length;
  const byCost = Array.from({ length: n }, (_, i) => i).sort((a, b) => minCost[b] - minCost[a] || a - b);
  const rs = thresholds(head, PACKING_THRESHOLDS);
  const qs = thresholds(tail, PACKING_THRESHOLDS);
  let best = 0;
  const set: number[] = [];
  for (const r of rs) {
    for (const q of qs) {
      set.length = 0;
      for (const t of byCost) if (head[t] >= r && tail[t] >= q) set.push(t);
      best = Math.max(best, packingOfSorted(set, minCost, head, tail, classes));
    }
  }
  return best;
}

function cachedPacking(
  cache: Map<string, number>,
  kind: string,
  bits: Uint32Array,
  minCost: Float64Array,
  head: Float64Array,
  tail: Float64Array,
  classes: readonly RateClass[],
): number {
  const key = `${kind}:${bits.join(',')}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const set = members(bits).sort((a, b) => minCost[b] - minCost[a] || a - b);
  const v = packingOfSorted(set, minCost, head, tail, classes);
  cache.set(key, v);
  return v;
}

/**
 * For a set S (sorted longest first) and each N, the N longest tasks S_N all run inside [minHead(S_N),
 * makespan - minTail(S_N)], a window of length L. A core of rate ρ that runs j of them is busy at least
 * (sum of the j shortest in S_N) / ρ, so it runs at most jmax(ρ, L) of them; the cores together must run
 * N. Returns max over N of minHead(S_N) + (the smallest L with Σ cores · jmax >= N) + minTail(S_N).
 * With one rate class and P cores this is the classic "sum of the ceil(N / P) shortest" bound.
 */
function packingOfSorted(set: readonly number[], minCost: Float64Array, head: Float64Array, tail: Float64Array, classes: readonly RateClass[]): number {
  const totalCores = classes.reduce((a, c) => a + c.cores, 0);
  if (set.length <= classes[0].cores) return 0;
  const limit = classes.length === 1 ? set.length : Math.min(set.length, MAX_PACKING_PREFIX_PER_CORE * totalCores + 1);
  const prefix = new Float64Array(limit + 1);
  for (let i = 0; i < limit; i++) prefix[i + 1] = prefix[i] + minCost[set[i]];
  let best = 0;
  let minHead = Infinity;
  let minTail = Infinity;
  for (let N = 1; N <= limit; N++) {
    const t = set[N - 1];
    minHead = Math.min(minHead, head[t]);
    minTail = Math.min(minTail, tail[t]);
    if (N <= classes[0].cores) continue;
    // sumShortest(j) = prefix[N] - prefix[N - j], increasing in j.
    const sumShortest = (j: number): number => prefix[N] - prefix[N - j];
    let window: number;
    if (classes.length === 1) {
      window = sumShortest(Math.ceil(N / classes[0].cores)) / classes[0].rate;
    } else {
      const fits = (L: number): boolean => {
        let count = 0;
        for (const c of classes) {
          // Largest j <= N with sumShortest(j) <= rate * L (a hair of slack keeps the bound on the safe side).
          const cap = c.rate * L * (1 + 1e-12);
          let lo = 0;
          let hi = N;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (sumShortest(mid) <= cap) lo = mid;
            else hi = mid - 1;
          }
          count += c.cores * lo;
          if (count >= N) return true;
        }
        return false;
      };
      // The smallest feasible L is one of the breakpoints sumShortest(j) / rate.
      window = Infinity;
      for (const c of classes) {
        let lo = 1;
        let hi = Math.ceil(N / c.cores);
        if (!fits(sumShortest(hi) / c.rate)) continue;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (fits(sumShortest(mid) / c.rate)) hi = mid;
          else lo = mid + 1;
        }
        window = Math.min(window, sumShortest(lo) / c.rate);
      }
    }
    best = Math.max(best, minHead + window + minTail);
  }
  return best;
}

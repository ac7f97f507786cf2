import { DagError } from './dag.errors';
import { Dag } from './dag.model';

/** A machine of the cluster: `cores` identical processors; each task occupies one core while it runs. */
export interface DagMachine {
  readonly id: string;
  readonly cores: number;
  /** Relative speed; a task's cost on this machine is duration / speed (default 1). */
  readonly speed?: number;
}

export interface DagScheduleProblem {
  readonly dag: Dag;
  readonly machines: readonly DagMachine[];
  /** Optional explicit cost matrix cost[task][machine] in seconds (overrides duration / speed). */
  readonly cost?: readonly (readonly number[])[];
  /** Bytes moved along an edge (from index, to index); default 0. */
  readonly edgeBytes?: (from: number, to: number) => number;
  /**
   * Bytes per second between different machines; transfers inside a machine are free. Undefined or
   * Infinity means communication is free everywhere.
   */
  readonly bandwidth?: number;
}

export interface DagScheduledTask {
  readonly task: string;
  readonly machine: string;
  /** Core index within the machine. */
  readonly core: number;
  readonly start: number;
  readonly finish: number;
}

export interface DagSchedule {
  readonly algorithm: string;
  readonly makespan: number;
  /** Index-aligned with dag.ids. */
  readonly tasks: readonly DagScheduledTask[];
}

/** Flattened, index-based form of a problem that the list schedulers work on. */
export interface CompiledDagProblem {
  readonly dag: Dag;
  readonly n: number;
  readonly machineCount: number;
  readonly machines: readonly DagMachine[];
  /** Machine index of each core (cores numbered across the whole cluster). */
  readonly machineOfCore: Int32Array;
  /** First global core index of each machine. */
  readonly firstCore: Int32Array;
  /** cost[t * machineCount + m]. */
  readonly cost: Float64Array;
  /** Core-weighted mean cost of each task. */
  readonly meanCost: Float64Array;
  /** Transfer seconds between different machines, aligned with dag.preds / dag.succs. */
  readonly predComm: readonly (readonly number[])[];
  readonly succComm: readonly (readonly number[])[];
}

export function compileDagProblem(problem: DagScheduleProblem): CompiledDagProblem {
  const { dag, machines } = problem;
  if (machines.length === 0) throw new DagError('invalid_cluster', 'cluster has no machines');
  for (const m of machines) {
    if (!Number.isInteger(m.cores) || m.cores < 1) throw new DagError('invalid_cluster', `machine "${m.id}": cores must be an integer >= 1, got ${m.cores}`);
    const s = m.speed ?? 1;
    if (!(s > 0) || !Number.isFinite(s)) throw new DagError('invalid_cluster', `machine "${m.id}": speed must be > 0, got ${s}`);
  }
  const n = dag.ids.length;
  const M = machines.length;
  const totalCores = machines.reduce((a, m) => a + m.cores, 0);
  const machineOfCore = new Int32Array(totalCores);
  const firstCore = new Int32Array(M);
  let c = 0;
  machines.forEach((m, mi) => {
    firstCore[mi] = c;
    for (let k = 0; k < m.cores; k++) machineOfCore[c++] = mi;
  });
  const cost = new Float64Array(n * M);
  const meanCost = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (let m = 0; m < M; m++) {
      const v = problem.cost ? problem.cost[t]?.[m] : dag.durations[t] / (machines[m].speed ?? 1);
      if (v === undefined || !Number.isFinite(v) || v < 0) {
        throw new DagError('invalid_cluster', `cost of task "${dag.ids[t]}" on machine "${machines[m].id}" is ${v}`);
      }
      cost[t * M + m] = v;
      sum += v * machines[m].cores;
    }
    meanCost[t] = sum / totalCores;
  }
  const bw = problem.bandwidth;
  const perByte = bw === undefined || bw === Infinity ? 0 : 1 / bw;
  if (bw !== undefined && !(bw > 0)) throw new DagError('invalid_cluster', `bandwidth must be > 0 bytes/s, got ${bw}`);
  const bytes = problem.edgeBytes ?? (() => 0);
  const predComm = dag.preds.map((ps, u) => ps.map((p) => (perByte === 0 ? 0 : bytes(p, u) * perByte)));
  const succComm = dag.succs.map((ss, u) => ss.map((s) => (perByte === 0 ? 0 : bytes(u, s) * perByte)));
  return { dag, n, machineCount: M, machines, machineOfCore, firstCore, cost, meanCost, predComm, succComm };
}

/**
 * Insertion-based list scheduling. At each step the ready task (all predecessors placed) with the highest
 * priority is placed on the core that minimises its finish time (plus `oct[t * M + m]` for PEFT), using the
 * earliest idle gap long enough on that core.
 */
export function dagListSchedule(
  cp: CompiledDagProblem,
  priority: ArrayLike<number>,
  algorithm: string,
  oct?: Float64Array,
): DagSchedule {
  const { dag, n, machineCount: M, machineOfCore, cost } = cp;
  const cores = machineOfCore.length;
  const slotStart: number[][] = Array.from({ length: cores }, () => []);
  const slotEnd: number[][] = Array.from({ length: cores }, () => []);
  const finish = new Float64Array(n);
  const start = new Float64Array(n);
  const coreOf = new Int32Array(n).fill(-1);
  const topoPos = new Int32Array(n);
  dag.topo.forEach((u, i) => (topoPos[u] = i));
  const waiting = dag.preds.map((p) => p.length);
  const ready: number[] = [];
  for (let u = 0; u < n; u++) if (waiting[u] === 0) ready.push(u);
  const readyAt = new Float64Array(M);
  const emptySeen = new Uint8Array(M);

  for (let step = 0; step < n; step++) {
    let pick = 0;
    for (let k = 1; k < ready.length; k++) {
      const a = ready[k];
      const b = ready[pick];
      if (priority[a] > priority[b] || (priority[a] === priority[b] && topoPos[a] < topoPos[ready[pick]])) pick = k;
    }
    const u = ready[pick];
    ready[pick] = ready[ready.length - 1];
    ready.pop();

    const preds = dag.preds[u];
    const comm = cp.predComm[u];
    for (let m = 0; m < M; m++) {
      let r = 0;
      for (let k = 0; k < preds.length; k++) {
        const p = preds[k];
        const t = finish[p] + (machineOfCore[coreOf[p]] === m ? 0 : comm[k]);
        if (t > r) r = t;
      }
      readyAt[m] = r;
    }
    emptySeen.fill(0);
    let bestCore = -1;
    let bestScore = Infinity;
    let bestStart = 0;
    let bestIdx = 0;
    for (let c = 0; c < cores; c++) {
      const m = machineOfCore[c];
      const dur = cost[u * M + m];
      const ss = slotStart[c];
      const se = slotEnd[c];
      let s: number;
      let idx: number;
      if (ss.length === 0) {
        // Empty cores of one machine are interchangeable; evaluate only the first.
        if (emptySeen[m]) continue;
        emptySeen[m] = 1;
        s = readyAt[m];
        idx = 0;
      } else {
        s = readyAt[m];
        idx = ss.length;
        let prevEnd = 0;
        for (let k = 0; k < ss.length; k++) {
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
    const m = machineOfCore[bestCore];
    const dur = cost[u * M + m];
    slotStart[bestCore].splice(bestIdx, 0, bestStart);
    slotEnd[bestCore].splice(bestIdx, 0, bestStart + dur);
    start[u] = bestStart;
    finish[u] = bestStart + dur;
    coreOf[u] = bestCore;
    for (const v of dag.succs[u]) {
      waiting[v] -= 1;
      if (waiting[v] === 0) ready.push(v);
    }
  }
  let makespan = 0;
  for (let u = 0; u < n; u++) if (finish[u] > makespan) makespan = finish[u];
  const tasks = dag.ids.map((id, u) => {
    const mi = machineOfCore[coreOf[u]];
    return { task: id, machine: cp.machines[mi].id, core: coreOf[u] - cp.firstCore[mi], start: start[u], finish: finish[u] };
  });
  return { algorithm, makespan, tasks };
}

export interface DagLowerBound {
  /** max(criticalPath, workBound): the bound the benchmark targets are defined against. */
  readonly lowerBound: number;
  /** Longest path with each task at its fastest cost, transfers free. */
  readonly criticalPath: number;
  /** Total fastest work / total cores. */
  readonly workBound: number;
  /**
   * A tighter bound (>= lowerBound): for every task t, the work of t's ancestors must be done (at best
   * spread over all cores) before t starts, and t's longest tail follows; symmetrically for descendants.
   */
  readonly strongLowerBound: number;
}

/** Lower bounds on the makespan of any schedule of `cp` (each task runs on one core, no preemption). */
export function dagLowerBound(cp: CompiledDagProblem): DagLowerBound {
  const { dag, n, machineCount: M, cost } = cp;
  const P = cp.machineOfCore.length;
  const minCost = new Float64Array(n);
  let work = 0;
  for (let t = 0; t < n; t++) {
    let best = Infinity;
    for (let m = 0; m < M; m++) best = Math.min(best, cost[t * M + m]);
    minCost[t] = best;
    work += best;
  }
  const top = new Float64Array(n); // longest path ending just before t
  const bottom = new Float64Array(n); // longest path starting with t
  let cpLen = 0;
  for (const u of dag.topo) {
    for (const p of dag.preds[u]) top[u] = Math.max(top[u], top[p] + minCost[p]);
    cpLen = Math.max(cpLen, top[u] + minCost[u]);
  }
  for (let k = dag.topo.length - 1; k >= 0; k--) {
    const u = dag.topo[k];
    let tail = 0;
    for (const s of dag.succs[u]) tail = Math.max(tail, bottom[s]);
    bottom[u] = minCost[u] + tail;
  }
  const workBound = work / P;
  const lowerBound = Math.max(cpLen, workBound);
  let strong = lowerBound;
  // Ancestor / descendant work via bitsets: O(n^2 / 32) words, fine for workflows of a few thousand tasks.
  if (n <= 20000) {
    const words = Math.ceil(n / 32);
    const anc: Uint32Array[] = new Array<Uint32Array>(n);
    for (const u of dag.topo) {
      const a = new Uint32Array(words);
      for (const p of dag.preds[u]) {
        a[p >>> 5] |= 1 << (p & 31);
        const ap = anc[p];
        for (let w = 0; w < words; w++) a[w] |= ap[w];
      }
      anc[u] = a;
    }
    const desc: Uint32Array[] = new Array<Uint32Array>(n);
    for (let k = dag.topo.length - 1; k >= 0; k--) {
      const u = dag.topo[k];
      const d = new Uint32Array(words);
      for (const s of dag.succs[u]) {
        d[s >>> 5] |= 1 << (s & 31);
        const ds = desc[s];
        for (let w = 0; w < words; w++) d[w] |= ds[w];
      }
      desc[u] = d;
    }
    const sumOf = (bits: Uint32Array): number => {
      let sum = 0;
      for (let w = 0; w < words; w++) {
        let x = bits[w];
        while (x !== 0) {
          const low = x & -x;
          sum += minCost[(w << 5) + (31 - Math.clz32(low))];
          x ^= low;
        }
      }
      return sum;
    };
    for (let u = 0; u < n; u++) {
      strong = Math.max(strong, sumOf(anc[u]) / P + bottom[u], top[u] + (minCost[u] + sumOf(desc[u])) / P);
    }
  }
  return { lowerBound, criticalPath: cpLen, workBound, strongLowerBound: strong };
}

/** Problems found in a schedule (precedence, communication delay, overlapping tasks on a core); empty when valid. */
export function validateDagSchedule(cp: CompiledDagProblem, schedule: DagSchedule, tolerance = 1e-6): string[] {
  const problems: string[] = [];
  const { dag, machines } = cp;
  const machineIndex = new Map(machines.map((m, i) => [m.id, i]));
  const byCore = new Map<string, DagScheduledTask[]>();
  schedule.tasks.forEach((t, u) => {
    const m = machineIndex.get(t.machine) ?? -1;
    const expected = cp.cost[u * cp.machineCount + m];
    if (Math.abs(t.finish - t.start - expected) > tolerance) problems.push(`${t.task}: runs ${t.finish - t.start}s, cost is ${expected}s`);
    dag.preds[u].forEach((p, k) => {
      const pt = schedule.tasks[p];
      const delay = pt.machine === t.machine ? 0 : cp.predComm[u][k];
      if (t.start + tolerance < pt.finish + delay) problems.push(`${t.task} starts at ${t.start} before ${pt.task} data arrives at ${pt.finish + delay}`);
    });
    const key = `${t.machine}#${t.core}`;
    const list = byCore.get(key) ?? [];
    list.push(t);
    byCore.set(key, list);
  });
  for (const [key, list] of byCore) {
    list.sort((a, b) => a.start - b.start);
    for (let k = 1; k < list.length; k++) {
      if (list[k].start + tolerance < list[k - 1].finish) problems.push(`${key}: ${list[k - 1].task} and ${list[k].task} overlap`);
    }
  }
  return problems;
}

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
  /** Fastest cost of each task (the work measure of the lower bounds). */
  readonly minCost: Float64Array;
  /**
   * Rate of each machine's cores: the largest r with cost[t][m] >= minCost[t] / r for every task, so a core
   * of machine m does at most r seconds of fastest-cost work per second (speed / fastest speed for uniform
   * machines; 1 on the fastest).
   */
  readonly coreRate: Float64Array;
  /** Sum of coreRate over all cores: fastest-cost work the whole cluster does per second. */
  readonly capacity: number;
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
  const minCost = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let best = Infinity;
    for (let m = 0; m < M; m++) best = Math.min(best, cost[t * M + m]);
    minCost[t] = best;
  }
  const coreRate = new Float64Array(M);
  let capacity = 0;
  for (let m = 0; m < M; m++) {
    let r = 0;
    for (let t = 0; t < n; t++) if (cost[t * M + m] > 0) r = Math.max(r, minCost[t] / cost[t * M + m]);
    coreRate[m] = r > 0 ? r : 1;
    capacity += coreRate[m] * machines[m].cores;
  }
  const bw = problem.bandwidth;
  const perByte = bw === undefined || bw === Infinity ? 0 : 1 / bw;
  if (bw !== undefined && !(bw > 0)) throw new DagError('invalid_cluster', `bandwidth must be > 0 bytes/s, got ${bw}`);
  const bytes = problem.edgeBytes ?? (() => 0);
  const predComm = dag.preds.map((ps, u) => ps.map((p) => (perByte === 0 ? 0 : bytes(p, u) * perByte)));
  const succComm = dag.succs.map((ss, u) => ss.map((s) => (perByte === 0 ? 0 : bytes(u, s) * perByte)));
  return { dag, n, machineCount: M, machines, machineOfCore, firstCore, cost, meanCost, minCost, coreRate, capacity, predComm, succComm };
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
  // A task occupies [start, finish); a zero-length task is the instant [t, t] and overlaps only a task that
  // runs across t (start < t < finish), never one that starts or ends at t. Sorting by (start, finish) puts
  // [t, t] before [t, t'], and the sweep compares each task with the latest finish seen so far.
  for (const [key, list] of byCore) {
    list.sort((a, b) => a.start - b.start || a.finish - b.finish);
    let busy = list[0];
    for (let k = 1; k < list.length; k++) {
      const t = list[k];
      if (t.start + tolerance < busy.finish) problems.push(`${key}: ${busy.task} and ${t.task} overlap`);
      if (t.finish > busy.finish) busy = t;
    }
  }
  return problems;
}

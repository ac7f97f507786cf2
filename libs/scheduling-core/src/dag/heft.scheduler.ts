import { dagListSchedule } from './dag-list-schedule.state';
import { CompiledDagProblem, DagSchedule, DagScheduleProblem, compileDagProblem } from './dag-schedule.model';

/** rank_u(t) = mean cost(t) + max over successors s of (mean transfer(t, s) + rank_u(s)) (Topcuoglu et al. 2002). */
export function upwardRank(cp: CompiledDagProblem): Float64Array {
  const { dag, meanCost } = cp;
  const rank = new Float64Array(cp.n);
  for (let k = dag.topo.length - 1; k >= 0; k--) {
    const u = dag.topo[k];
    let best = 0;
    dag.succs[u].forEach((s, j) => {
      const v = cp.succComm[u][j] + rank[s];
      if (v > best) best = v;
    });
    rank[u] = meanCost[u] + best;
  }
  return rank;
}

/** rank_d(t) = max over predecessors p of (rank_d(p) + mean cost(p) + mean transfer(p, t)). */
export function downwardRank(cp: CompiledDagProblem): Float64Array {
  const { dag, meanCost } = cp;
  const rank = new Float64Array(cp.n);
  for (const u of dag.topo) {
    let best = 0;
    dag.preds[u].forEach((p, j) => {
      const v = rank[p] + meanCost[p] + cp.predComm[u][j];
      if (v > best) best = v;
    });
    rank[u] = best;
  }
  return rank;
}

/**
 * PEFT's optimistic cost table (Arabnejad & Barbosa 2014): OCT(t, m) is the shortest remaining path to the
 * exit if t runs on machine m and every successor picks its best machine. Flattened [t * M + m].
 */
export function optimisticCostTable(cp: CompiledDagProblem): Float64Array {
  const { dag, machineCount: M, cost } = cp;
  const oct = new Float64Array(cp.n * M);
  for (let k = dag.topo.length - 1; k >= 0; k--) {
    const u = dag.topo[k];
    for (let m = 0; m < M; m++) {
      let worst = 0;
      dag.succs[u].forEach((s, j) => {
        let best = Infinity;
        for (let w = 0; w < M; w++) {
          const v = oct[s * M + w] + cost[s * M + w] + (w === m ? 0 : cp.succComm[u][j]);
          if (v < best) best = v;
        }
        if (best > worst) worst = best;
      });
      oct[u * M + m] = worst;
    }
  }
  return oct;
}

/** Core-weighted mean of each task's OCT row: PEFT's priority. */
export function octRank(cp: CompiledDagProblem, oct: Float64Array): Float64Array {
  const M = cp.machineCount;
  const total = cp.machineOfCore.length;
  const rank = new Float64Array(cp.n);
  for (let t = 0; t < cp.n; t++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += oct[t * M + m] * cp.machines[m].cores;
    rank[t] = s / total;
  }
  return rank;
}

/** Classic HEFT: upward-rank priority, insertion-based earliest-finish-time placement. */
export function heftSchedule(problem: DagScheduleProblem | CompiledDagProblem): DagSchedule {
  const cp = isCompiled(problem) ? problem : compileDagProblem(problem);
  return dagListSchedule(cp, upwardRank(cp), 'heft');
}

/** PEFT: OCT-rank priority, placement minimising EFT + OCT. */
export function peftSchedule(problem: DagScheduleProblem | CompiledDagProblem): DagSchedule {
  const cp = isCompiled(problem) ? problem : compileDagProblem(problem);
  const oct = optimisticCostTable(cp);
  return dagListSchedule(cp, octRank(cp, oct), 'peft', oct);
}

export function isCompiled(p: DagScheduleProblem | CompiledDagProblem): p is CompiledDagProblem {
  return 'machineOfCore' in p;
}

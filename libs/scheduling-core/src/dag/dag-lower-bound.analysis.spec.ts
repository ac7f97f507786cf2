import { seededRandom } from '../model/clock';
import { DagTaskSpec, buildDag } from './dag.model';
import { dagLowerBound } from './dag-lower-bound.analysis';
import { rolloutSchedule } from './dag-rollout.scheduler';
import { CompiledDagProblem, DagMachine, DagScheduleProblem, compileDagProblem } from './dag-schedule.model';
import { heftSchedule } from './heft.scheduler';

/**
 * Reference: the optimal makespan by exhaustive search. Every schedule can be replayed, task by task in
 * order of start time, each appended to its own core at the earliest time its core and inputs allow, and
 * the replay finishes no later; so enumerating (ready task, core) sequences with that rule finds the optimum.
 */
function optimalMakespan(cp: CompiledDagProblem): number {
  const { n, machineCount: M, machineOfCore } = cp;
  const P = machineOfCore.length;
  const finish = new Float64Array(n);
  const coreOf = new Int32Array(n).fill(-1);
  const coreFree = new Float64Array(P);
  const waiting = cp.dag.preds.map((p) => p.length);
  let best = Infinity;
  const search = (placed: number, makespan: number): void => {
    if (makespan >= best) return;
    if (placed === n) {
      best = makespan;
      return;
    }
    for (let u = 0; u < n; u++) {
      if (coreOf[u] >= 0 || waiting[u] > 0) continue;
      for (let c = 0; c < P; c++) {
        const m = machineOfCore[c];
        let start = coreFree[c];
        cp.dag.preds[u].forEach((p, k) => {
          start = Math.max(start, finish[p] + (machineOfCore[coreOf[p]] === m ? 0 : cp.predComm[u][k]));
        });
        const end = start + cp.cost[u * M + m];
        const saved = coreFree[c];
        coreOf[u] = c;
        finish[u] = end;
        coreFree[c] = end;
        for (const v of cp.dag.succs[u]) waiting[v]--;
        search(placed + 1, Math.max(makespan, end));
        for (const v of cp.dag.succs[u]) waiting[v]++;
        coreOf[u] = -1;
        coreFree[c] = saved;
      }
    }
  };
  search(0, 0);
  return best;
}

const independent = (durations: number[]): DagTaskSpec[] => durations.map((d, i) => ({ id: `t${i}`, duration: d }));
const bound = (specs: DagTaskSpec[], machines: DagMachine[]) => dagLowerBound(compileDagProblem({ dag: buildDag(specs), machines }));

describe('dagLowerBound: hand-computed cases', () => {
  it('LPT counterexample 3,3,2,2,2 on 2 cores: work 12 / 2 = 6, the 3 longest need 3 + 2 = 5', () => {
    const lb = bound(independent([3, 3, 2, 2, 2]), [{ id: 'm', cores: 2 }]);
    expect(lb).toMatchObject({ criticalPath: 3, workBound: 6, lowerBound: 6, packingBound: 6, strongLowerBound: 6 });
  });

  it('pigeonhole: 3 tasks of 5 on 2 cores need 10 although work / cores = 7.5', () => {
    const lb = bound(independent([5, 5, 5]), [{ id: 'm', cores: 2 }]);
    expect(lb.lowerBound).toBe(7.5);
    expect(lb.packingBound).toBe(10);
    expect(lb.strongLowerBound).toBe(10);
  });

  it('packing inside the ancestors of a join: 3 tasks of 2 on 2 cores take 4, then the join 1', () => {
    const specs: DagTaskSpec[] = [...independent([2, 2, 2]), { id: 'j', duration: 1, dependsOn: ['t0', 't1', 't2'] }];
    const lb = bound(specs, [{ id: 'm', cores: 2 }]);
    // CP 3, work 7 / 2 = 3.5, ancestor work 6 / 2 + 1 = 4; the join cannot start before 4 (two rounds), ends >= 5.
    expect(lb).toMatchObject({ criticalPath: 3, workBound: 3.5, ancestorBound: 4, strongLowerBound: 5 });
    expect(optimalMakespan(compileDagProblem({ dag: buildDag(specs), machines: [{ id: 'm', cores: 2 }] }))).toBe(5);
  });

  it('heterogeneous speeds: work is speed-weighted (capacity 1 + 0.5 per fastest-second)', () => {
    // Three tasks of 2 s at speed 1: 1 s on the fast core, 2 s on the slow one. Fast runs two, slow one: 2 s.
    const machines: DagMachine[] = [{ id: 'fast', cores: 1, speed: 2 }, { id: 'slow', cores: 1 }];
    const lb = bound(independent([2, 2, 2]), machines);
    expect(lb.workBound).toBe(2);
    expect(lb.criticalPath).toBe(1);
    expect(lb.strongLowerBound).toBe(2);
  });

  it('heterogeneous packing: 4 tasks of 4 on a fast (x2, cost 2) and a slow core (cost 4) need 6', () => {
    // Work bound 8 / 1.5 = 5.33. Within 5.33 the fast core fits 2 tasks and the slow one 1: 3 < 4. Within 6:
    // fast 3 + slow 1 = 4, and that schedule exists, so 6 is the optimum.
    const machines: DagMachine[] = [{ id: 'fast', cores: 1, speed: 2 }, { id: 'slow', cores: 1 }];
    const specs = independent([4, 4, 4, 4]);
    const lb = bound(specs, machines);
    expect(lb.workBound).toBeCloseTo(16 / 3, 12);
    expect(lb.packingBound).toBe(6);
    expect(optimalMakespan(compileDagProblem({ dag: buildDag(specs), machines }))).toBe(6);
  });
});

describe('dagLowerBound and the rollout against the exact optimum on random small problems', () => {
  const clusters: [string, DagMachine[]][] = [
    ['2 identical cores', [{ id: 'm', cores: 2 }]],
    ['one fast and one slow single-core machine', [{ id: 'fast', cores: 1, speed: 2 }, { id: 'slow', cores: 1 }]],
    ['a 2-core fast machine and a slow core', [{ id: 'fast', cores: 2, speed: 2 }, { id: 'slow', cores: 1 }]],
  ];
  function random(seed: number, machines: DagMachine[]): DagScheduleProblem {
    const rnd = seededRandom(seed);
    const n = 5 + (seed % 2);
    const specs: DagTaskSpec[] = [];
    for (let i = 0; i < n; i++) {
      const deps = new Set<string>();
      for (let k = 0; k < 2; k++) if (i > 0 && rnd() < 0.5) deps.add(`t${Math.floor(rnd() * i)}`);
      // Some zero-length tasks, as Pegasus files may have.
      specs.push({ id: `t${i}`, duration: rnd() < 0.15 ? 0 : 1 + Math.floor(rnd() * 8), dependsOn: [...deps] });
    }
    const bytes = specs.map(() => Math.floor(rnd() * 4));
    return { dag: buildDag(specs), machines, edgeBytes: (from) => bytes[from], bandwidth: 1 };
  }

  it.each(clusters)('%s: bound <= optimum <= rollout <= HEFT on 25 seeds', (_, machines) => {
    for (let seed = 1; seed <= 25; seed++) {
      const cp = compileDagProblem(random(seed, machines));
      const opt = optimalMakespan(cp);
      const lb = dagLowerBound(cp);
      const heft = heftSchedule(cp).makespan;
      const rollout = rolloutSchedule(cp).schedule.makespan;
      expect(lb.strongLowerBound).toBeLessThanOrEqual(opt + 1e-9);
      expect(opt).toBeLessThanOrEqual(rollout + 1e-9);
      expect(rollout).toBeLessThanOrEqual(heft + 1e-9);
    }
  });
});

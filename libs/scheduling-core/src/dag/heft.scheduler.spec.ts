import { seededRandom } from '../model/clock';
import { DagTaskSpec, buildDag } from './dag.model';
import { portfolioSchedule } from './dag-portfolio.scheduler';
import { dagListSchedule } from './dag-list-schedule.state';
import { dagLowerBound } from './dag-lower-bound.analysis';
import { DagMachine, DagScheduleProblem, compileDagProblem, validateDagSchedule } from './dag-schedule.model';
import { heftSchedule, optimisticCostTable, upwardRank } from './heft.scheduler';

// The 10-task, 3-processor example of Topcuoglu, Hariri & Wu (2002), Fig. 2: cost per processor and
// communication cost per edge (paid only when the two tasks run on different processors).
const topcuogluCost = [
  [14, 16, 9], [13, 19, 18], [11, 13, 19], [13, 8, 17], [12, 13, 10],
  [13, 16, 9], [7, 15, 11], [5, 11, 14], [18, 12, 20], [21, 7, 16],
];
const topcuogluEdges: [number, number, number][] = [
  [1, 2, 18], [1, 3, 12], [1, 4, 9], [1, 5, 11], [1, 6, 14], [2, 8, 19], [2, 9, 16], [3, 7, 23],
  [4, 8, 27], [4, 9, 23], [5, 9, 13], [6, 8, 15], [7, 10, 17], [8, 10, 11], [9, 10, 13],
];
function topcuoglu(): DagScheduleProblem {
  const specs: DagTaskSpec[] = topcuogluCost.map((_, i) => ({
    id: `n${i + 1}`,
    dependsOn: topcuogluEdges.filter(([, to]) => to === i + 1).map(([from]) => `n${from}`),
  }));
  const data = new Map(topcuogluEdges.map(([f, t, c]) => [`${f - 1},${t - 1}`, c]));
  return {
    dag: buildDag(specs),
    machines: [{ id: 'p1', cores: 1 }, { id: 'p2', cores: 1 }, { id: 'p3', cores: 1 }],
    cost: topcuogluCost,
    edgeBytes: (f, t) => data.get(`${f},${t}`) ?? 0,
    bandwidth: 1,
  };
}

describe('HEFT on the Topcuoglu et al. example', () => {
  const problem = topcuoglu();
  const cp = compileDagProblem(problem);

  it('upward ranks match the paper', () => {
    const ranks = Array.from(upwardRank(cp)).map((r) => Math.round(r * 1000) / 1000);
    expect(ranks).toEqual([108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667]);
  });

  it('makespan is 80 with the paper\'s placement of the entry and exit tasks', () => {
    const s = heftSchedule(problem);
    expect(s.makespan).toBe(80);
    expect(s.tasks[0]).toMatchObject({ machine: 'p3', start: 0, finish: 9 });
    expect(s.tasks[9]).toMatchObject({ machine: 'p2', start: 73, finish: 80 });
    expect(validateDagSchedule(cp, s)).toEqual([]);
  });

  it('insertion-based placement fills an idle gap left by a communication wait', () => {
    // a runs on m1 (0..1); b must wait for a 3s transfer so it runs on m2 at 4..5, leaving m2 idle 0..4.
    // x, scheduled last, fits into that gap (0..2) instead of being appended (5..7).
    const gap = compileDagProblem({
      dag: buildDag([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'x' }]),
      machines: [{ id: 'm1', cores: 1 }, { id: 'm2', cores: 1 }],
      cost: [[1, 100], [100, 1], [100, 2]],
      edgeBytes: () => 3,
      bandwidth: 1,
    });
    const s = dagListSchedule(gap, [3, 2, 1], 'manual');
    expect(s.tasks[1]).toMatchObject({ machine: 'm2', start: 4, finish: 5 });
    expect(s.tasks[2]).toMatchObject({ machine: 'm2', start: 0, finish: 2 });
    expect(validateDagSchedule(gap, s)).toEqual([]);
  });

  it('the portfolio is never worse than HEFT here', () => {
    const r = portfolioSchedule(problem, { iterations: 100, seed: 7 });
    expect(r.heft.makespan).toBe(80);
    expect(r.best.makespan).toBeLessThanOrEqual(80);
    expect(validateDagSchedule(cp, r.best)).toEqual([]);
  });
});

describe('hand-checked homogeneous cases', () => {
  const chain = (durations: number[], fork?: number[]): DagScheduleProblem => {
    const specs: DagTaskSpec[] = durations.map((d, i) => ({ id: `c${i}`, duration: d, dependsOn: i > 0 ? [`c${i - 1}`] : [] }));
    (fork ?? []).forEach((d, i) => specs.push({ id: `f${i}`, duration: d, dependsOn: ['c0'] }));
    return { dag: buildDag(specs), machines: [{ id: 'm', cores: 2 }] };
  };

  it.each<[string, DagScheduleProblem, number, number]>([
    // c0(2) then c1(3) in parallel with f0(3): 5 on two cores; LB = max(5, 8/2 = 4)
    ['fork on two cores', chain([2, 3], [3]), 5, 5],
    // four independent 1s tasks + one 2s task on two cores: LB = max(2, 6/2 = 3) = 3
    ['independent tasks', { dag: buildDag([1, 1, 1, 1, 2].map((d, i) => ({ id: `t${i}`, duration: d }))), machines: [{ id: 'm', cores: 2 }] }, 3, 3],
  ])('%s', (_, problem, makespan, lb) => {
    const cp = compileDagProblem(problem);
    const bound = dagLowerBound(cp);
    expect(bound.lowerBound).toBe(lb);
    expect(bound.strongLowerBound).toBeGreaterThanOrEqual(lb);
    expect(bound.strongLowerBound).toBeLessThanOrEqual(makespan);
    const s = heftSchedule(problem);
    expect(s.makespan).toBe(makespan);
    expect(validateDagSchedule(cp, s)).toEqual([]);
  });

  it('the strong lower bound counts ancestor work before a join', () => {
    // Four 2s tasks feed a 4s join on 2 cores: LB = max(CP 6, work 12 / 2) = 6, but the join cannot start
    // before 8 / 2 = 4s of ancestor work is done, so every schedule takes >= 8 (and HEFT achieves 8).
    const specs: DagTaskSpec[] = [0, 1, 2, 3].map((i) => ({ id: `x${i}`, duration: 2 }));
    const dag = buildDag([...specs, { id: 'y', duration: 4, dependsOn: ['x0', 'x1', 'x2', 'x3'] }]);
    const cp = compileDagProblem({ dag, machines: [{ id: 'm', cores: 2 }] });
    expect(dagLowerBound(cp)).toMatchObject({ lowerBound: 6, criticalPath: 6, workBound: 6, ancestorBound: 8, strongLowerBound: 8 });
    expect(heftSchedule(cp).makespan).toBe(8);
  });

  it('communication is free inside a machine and costs bytes / bandwidth between machines', () => {
    // a (1s) -> b (1s) carrying 10 bytes at 5 B/s; two single-core machines: staying local wins (2s).
    const dag = buildDag([{ id: 'a', duration: 1 }, { id: 'b', duration: 1, dependsOn: ['a'] }, { id: 'c', duration: 1, dependsOn: ['a'] }]);
    const problem: DagScheduleProblem = {
      dag,
      machines: [{ id: 'm1', cores: 1 }, { id: 'm2', cores: 1 }],
      edgeBytes: () => 10,
      bandwidth: 5,
    };
    const s = heftSchedule(problem);
    // b local at 1..2, c local at 2..3 beats c remote at 1 + 2 = 3..4.
    expect(s.makespan).toBe(3);
    expect(new Set(s.tasks.map((t) => t.machine))).toEqual(new Set(['m1']));
  });

  it('faster machines take proportionally less time', () => {
    const dag = buildDag([{ id: 'a', duration: 4 }]);
    const s = heftSchedule({ dag, machines: [{ id: 'slow', cores: 1 }, { id: 'fast', cores: 1, speed: 2 }] });
    expect(s.tasks[0]).toMatchObject({ machine: 'fast', finish: 2 });
  });

  it('rejects an empty cluster or a zero-core machine', () => {
    const dag = buildDag([{ id: 'a', duration: 1 }]);
    expect(() => compileDagProblem({ dag, machines: [] })).toThrow(expect.objectContaining({ code: 'invalid_cluster' }));
    expect(() => compileDagProblem({ dag, machines: [{ id: 'x', cores: 0 }] })).toThrow(/cores must be an integer >= 1/);
  });
});

describe('portfolio vs HEFT on random DAGs', () => {
  function randomProblem(seed: number): DagScheduleProblem {
    const rnd = seededRandom(seed);
    const n = 30 + Math.floor(rnd() * 30);
    const specs: DagTaskSpec[] = [];
    for (let i = 0; i < n; i++) {
      const deps = new Set<string>();
      for (let k = 0; k < 3; k++) if (i > 0 && rnd() < 0.6) deps.add(`t${Math.floor(rnd() * i)}`);
      specs.push({ id: `t${i}`, duration: 1 + Math.floor(rnd() * 20), dependsOn: [...deps] });
    }
    const machines: DagMachine[] = [{ id: 'a', cores: 2 }, { id: 'b', cores: 1, speed: 1.5 }];
    return { dag: buildDag(specs), machines, edgeBytes: () => 1 + Math.floor(rnd() * 3), bandwidth: 1 };
  }

  it.each([1, 2, 3, 4, 5, 6])('seed %i: valid, never worse than HEFT, never below the lower bound', (seed) => {
    const problem = randomProblem(seed);
    const cp = compileDagProblem(problem);
    const r = portfolioSchedule(cp, { iterations: 60, seed });
    expect(validateDagSchedule(cp, r.heft)).toEqual([]);
    expect(validateDagSchedule(cp, r.best)).toEqual([]);
    expect(r.best.makespan).toBeLessThanOrEqual(r.heft.makespan);
    expect(r.best.makespan).toBeGreaterThanOrEqual(r.lowerBound - 1e-9);
  });

  it('is deterministic for a given seed', () => {
    const a = portfolioSchedule(randomProblem(9), { iterations: 40, seed: 3 });
    const b = portfolioSchedule(randomProblem(9), { iterations: 40, seed: 3 });
    expect(a.best.tasks).toEqual(b.best.tasks);
  });

  it('PEFT placement uses the optimistic cost table', () => {
    const cp = compileDagProblem(topcuoglu());
    const oct = optimisticCostTable(cp);
    // Exit task: OCT is zero on every processor.
    expect(Array.from(oct.slice(27, 30))).toEqual([0, 0, 0]);
    const s = dagListSchedule(cp, Array.from({ length: 10 }, (_, i) => 10 - i), 'by-index', oct);
    expect(validateDagSchedule(cp, s)).toEqual([]);
  });
});

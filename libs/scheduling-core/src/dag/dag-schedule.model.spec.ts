import { buildDag } from './dag.model';
import { DagSchedule, DagScheduledTask, compileDagProblem, validateDagSchedule } from './dag-schedule.model';

// Four independent tasks on one machine of two cores; durations chosen per case, placements given by hand.
function problem(durations: number[]) {
  return compileDagProblem({ dag: buildDag(durations.map((d, i) => ({ id: `t${i}`, duration: d }))), machines: [{ id: 'm', cores: 2 }] });
}
const on = (task: string, core: number, start: number, finish: number): DagScheduledTask => ({ task, machine: 'm', core, start, finish });
const schedule = (tasks: DagScheduledTask[]): DagSchedule => ({ algorithm: 'hand', makespan: Math.max(...tasks.map((t) => t.finish)), tasks });

describe('validateDagSchedule: overlaps on a core', () => {
  it.each<[string, number[], DagScheduledTask[]]>([
    // The false positive of the old check: [t, t] listed after [t, t'] was reported as an overlap.
    ['a zero-length task at the start of another', [0, 5], [on('t0', 0, 3, 3), on('t1', 0, 3, 8)]],
    ['a zero-length task at the end of another', [5, 0], [on('t0', 0, 3, 8), on('t1', 0, 8, 8)]],
    ['two zero-length tasks at the same instant', [0, 0], [on('t0', 0, 4, 4), on('t1', 0, 4, 4)]],
    ['back-to-back tasks', [2, 3], [on('t0', 0, 0, 2), on('t1', 0, 2, 5)]],
    ['a zero-length task between two back-to-back tasks', [2, 0, 3], [on('t0', 0, 0, 2), on('t1', 0, 2, 2), on('t2', 0, 2, 5)]],
  ])('accepts %s', (_, durations, tasks) => {
    expect(validateDagSchedule(problem(durations), schedule(tasks))).toEqual([]);
  });

  it.each<[string, number[], DagScheduledTask[], string]>([
    ['overlapping tasks', [4, 4], [on('t0', 0, 0, 4), on('t1', 0, 3, 7)], 'm#0: t0 and t1 overlap'],
    ['a zero-length task strictly inside another', [10, 0], [on('t0', 0, 0, 10), on('t1', 0, 4, 4)], 'm#0: t0 and t1 overlap'],
    // A long task covers two later ones; comparing neighbours only would miss the second.
    ['a long task covering two short ones', [10, 1, 1], [on('t0', 0, 0, 10), on('t1', 0, 2, 3), on('t2', 0, 5, 6)], 'm#0: t0 and t2 overlap'],
  ])('rejects %s', (_, durations, tasks, message) => {
    expect(validateDagSchedule(problem(durations), schedule(tasks))).toContain(message);
  });

  it('the same intervals on different cores do not overlap', () => {
    expect(validateDagSchedule(problem([4, 4]), schedule([on('t0', 0, 0, 4), on('t1', 1, 0, 4)]))).toEqual([]);
  });
});

describe('compileDagProblem: core rates and capacity', () => {
  it('uniform speeds: rate = speed / fastest speed, capacity = speed-weighted cores', () => {
    const cp = compileDagProblem({
      dag: buildDag([{ id: 'a', duration: 6 }, { id: 'b', duration: 3 }]),
      machines: [{ id: 'f1', cores: 4, speed: 2 }, { id: 'f2', cores: 4, speed: 2 }, { id: 's1', cores: 4 }, { id: 's2', cores: 4 }],
    });
    expect(Array.from(cp.coreRate)).toEqual([1, 1, 0.5, 0.5]);
    expect(cp.capacity).toBe(12);
    expect(Array.from(cp.minCost)).toEqual([3, 1.5]);
  });

  it('an explicit cost matrix: the rate is the largest r with cost >= fastest cost / r for every task', () => {
    // m2 is twice as slow on a, 4x as slow on b: it can be charged at most rate 0.5 (a's ratio).
    const cp = compileDagProblem({ dag: buildDag([{ id: 'a' }, { id: 'b' }]), machines: [{ id: 'm1', cores: 1 }, { id: 'm2', cores: 2 }], cost: [[2, 4], [1, 4]] });
    expect(Array.from(cp.coreRate)).toEqual([1, 0.5]);
    expect(cp.capacity).toBe(2);
  });
});

import { seededRandom } from '../model/clock';
import { DagTaskSpec, buildDag } from './dag.model';
import { dagLowerBound } from './dag-lower-bound.analysis';
import { rolloutSchedule } from './dag-rollout.scheduler';
import { DagMachine, DagScheduleProblem, compileDagProblem, validateDagSchedule } from './dag-schedule.model';
import { heftSchedule } from './heft.scheduler';

describe('rolloutSchedule: hand-made cases', () => {
  it('beats HEFT where earliest-finish list scheduling is provably suboptimal (LPT on 5,4,3,2,2)', () => {
    // Independent tasks on one 2-core machine: HEFT's upward rank is the duration, so HEFT is LPT:
    // 5 | 4, then 3 on the core free at 4 (4-7), 2 at 5-7, the last 2 at 7-9 → 9. {5, 3} | {4, 2, 2} takes 8,
    // the work bound 16 / 2, so 8 is optimal and the rollout must find exactly 8.
    const problem: DagScheduleProblem = {
      dag: buildDag([5, 4, 3, 2, 2].map((d, i) => ({ id: `t${i}`, duration: d }))),
      machines: [{ id: 'm', cores: 2 }],
    };
    const cp = compileDagProblem(problem);
    expect(heftSchedule(cp).makespan).toBe(9);
    const r = rolloutSchedule(cp);
    expect(r.schedule.makespan).toBe(8);
    expect(r.baseMakespan).toBe(9);
    expect(dagLowerBound(cp).strongLowerBound).toBe(8);
    expect(validateDagSchedule(cp, r.schedule)).toEqual([]);
  });

  it('one-step look-ahead is not exhaustive: on LPT\'s 3,3,2,2,2 it stays at HEFT\'s 7 (optimum 6)', () => {
    // A documented limitation, kept as a test so a change in behaviour is noticed: from the partial schedules
    // the rollout visits, no single deviation followed by HEFT's rule reaches 6.
    const cp = compileDagProblem({ dag: buildDag([3, 3, 2, 2, 2].map((d, i) => ({ id: `t${i}`, duration: d }))), machines: [{ id: 'm', cores: 2 }] });
    expect(heftSchedule(cp).makespan).toBe(7);
    expect(rolloutSchedule(cp).schedule.makespan).toBe(7);
    expect(dagLowerBound(cp).strongLowerBound).toBe(6);
  });

  it('transfers on heterogeneous nodes: keeps the long independent task off the fast node', () => {
    // fast: 1 core at speed 2; slow: 1 core at speed 1; every edge carries 3 bytes at 1 B/s (3 s between
    // machines, free on one machine). Chain a(4) -> b(4) -> {c(2), d(6)}, plus an independent x(8).
    // Fast costs: a 2, b 2, c 1, d 3, x 4; slow costs: a 4, b 4, c 2, d 6, x 8.
    // HEFT (mean-cost ranks a 16.5, b 10.5, x 6, d 4.5, c 1.5): a fast 0-2, b fast 2-4, then x: fast 4-8 and
    // slow 0-8 tie, the first core wins, so x takes the fast node 4-8; d fast 8-11 (slow: 4+3 = 7 → 13);
    // c slow 7-9 → makespan 11.
    // Optimal: x on the slow node 0-8, the whole chain on the fast node a 0-2, b 2-4, d 4-7, c 7-8 → 8, which is
    // the work bound (4+2+2+1+3 = 12 fastest-seconds on capacity 1 + 0.5), so 8 is optimal.
    const specs: DagTaskSpec[] = [
      { id: 'a', duration: 4 },
      { id: 'b', duration: 4, dependsOn: ['a'] },
      { id: 'c', duration: 2, dependsOn: ['b'] },
      { id: 'd', duration: 6, dependsOn: ['b'] },
      { id: 'x', duration: 8 },
    ];
    const cp = compileDagProblem({
      dag: buildDag(specs),
      machines: [{ id: 'fast', cores: 1, speed: 2 }, { id: 'slow', cores: 1 }],
      edgeBytes: () => 3,
      bandwidth: 1,
    });
    const heft = heftSchedule(cp);
    expect(heft.makespan).toBe(11);
    expect(heft.tasks[4]).toMatchObject({ machine: 'fast', start: 4, finish: 8 });
    const r = rolloutSchedule(cp);
    expect(r.schedule.makespan).toBe(8);
    expect(r.schedule.tasks[4]).toMatchObject({ machine: 'slow', start: 0, finish: 8 });
    expect(dagLowerBound(cp).workBound).toBe(8);
    expect(validateDagSchedule(cp, r.schedule)).toEqual([]);
  });

  it('zero-length tasks next to others on one core give a valid schedule', () => {
    const specs: DagTaskSpec[] = [
      { id: 'stage', duration: 0 },
      { id: 'a', duration: 3, dependsOn: ['stage'] },
      { id: 'b', duration: 3, dependsOn: ['stage'] },
      { id: 'mark', duration: 0, dependsOn: ['a'] },
      { id: 'c', duration: 2, dependsOn: ['mark', 'b'] },
      { id: 'done', duration: 0, dependsOn: ['c'] },
    ];
    const cp = compileDagProblem({ dag: buildDag(specs), machines: [{ id: 'm', cores: 1 }, { id: 'n', cores: 1 }], edgeBytes: () => 1, bandwidth: 1 });
    for (const s of [heftSchedule(cp), rolloutSchedule(cp).schedule]) {
      expect(validateDagSchedule(cp, s)).toEqual([]);
      expect(s.makespan).toBeGreaterThanOrEqual(dagLowerBound(cp).strongLowerBound);
    }
  });
});

describe('rolloutSchedule: properties on random DAGs with transfers and heterogeneous machines', () => {
  function randomProblem(seed: number): DagScheduleProblem {
    const rnd = seededRandom(seed);
    const n = 25 + Math.floor(rnd() * 25);
    const specs: DagTaskSpec[] = [];
    for (let i = 0; i < n; i++) {
      const deps = new Set<string>();
      for (let k = 0; k < 3; k++) if (i > 0 && rnd() < 0.6) deps.add(`t${Math.floor(rnd() * i)}`);
      specs.push({ id: `t${i}`, duration: rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 20), dependsOn: [...deps] });
    }
    const machines: DagMachine[] = [{ id: 'a', cores: 2, speed: 2 }, { id: 'b', cores: 2 }, { id: 'c', cores: 1, speed: 1.5 }];
    const bytes = specs.map(() => Math.floor(rnd() * 6));
    return { dag: buildDag(specs), machines, edgeBytes: (from) => bytes[from], bandwidth: 1 };
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: valid, never worse than HEFT, never below the lower bound', (seed) => {
    const cp = compileDagProblem(randomProblem(seed));
    const heft = heftSchedule(cp);
    const r = rolloutSchedule(cp);
    expect(validateDagSchedule(cp, r.schedule)).toEqual([]);
    expect(r.baseMakespan).toBe(heft.makespan);
    expect(r.schedule.makespan).toBeLessThanOrEqual(heft.makespan);
    expect(r.schedule.makespan).toBeGreaterThanOrEqual(dagLowerBound(cp).strongLowerBound - 1e-9);
  });

  it('beats HEFT on most of these random problems (the look-ahead does something)', () => {
    const wins = [1, 2, 3, 4, 5, 6, 7, 8].filter((seed) => {
      const cp = compileDagProblem(randomProblem(seed));
      return rolloutSchedule(cp).schedule.makespan < heftSchedule(cp).makespan - 1e-9;
    });
    expect(wins.length).toBeGreaterThanOrEqual(5);
  });

  it('is deterministic: the same problem gives the same schedule', () => {
    const a = rolloutSchedule(compileDagProblem(randomProblem(11)));
    const b = rolloutSchedule(compileDagProblem(randomProblem(11)));
    expect(a.schedule).toEqual(b.schedule);
    expect(a.placements).toBe(b.placements);
  });

  it('a budget of 0 placements is HEFT; a small budget stops looking ahead but stays <= HEFT', () => {
    const cp = compileDagProblem(randomProblem(3));
    const heft = heftSchedule(cp);
    const none = rolloutSchedule(cp, { maxPlacements: 0 });
    expect(none.budgetExhausted).toBe(true);
    expect(none.schedule.tasks).toEqual(heft.tasks);
    const some = rolloutSchedule(cp, { maxPlacements: 500 });
    expect(some.budgetExhausted).toBe(true);
    // The budget is checked before each step; one step tries at most width - 1 + machines - 1 = 6 moves.
    expect(some.placements).toBeLessThanOrEqual(500 + 6 * cp.n);
    expect(some.schedule.makespan).toBeLessThanOrEqual(heft.makespan);
    expect(validateDagSchedule(cp, some.schedule)).toEqual([]);
  });

  it('stops looking ahead once the committed makespan meets the lower bound', () => {
    const cp = compileDagProblem(randomProblem(4));
    const heft = heftSchedule(cp);
    // A bound equal to HEFT's makespan: only the first look-ahead (HEFT itself, n placements) is spent.
    const r = rolloutSchedule(cp, { lowerBound: heft.makespan });
    expect(r.placements).toBe(cp.n);
    expect(r.schedule.tasks).toEqual(heft.tasks);
    expect(r.budgetExhausted).toBe(false);
    // A chain meets its critical path: nothing to look at beyond the first pass, without being told a bound.
    const chain = compileDagProblem({ dag: buildDag([{ id: 'a', duration: 2 }, { id: 'b', duration: 3, dependsOn: ['a'] }]), machines: [{ id: 'm', cores: 2 }] });
    expect(rolloutSchedule(chain).placements).toBe(2);
  });

  it('width 1 without machine alternatives has nothing to look at: it is HEFT', () => {
    const cp = compileDagProblem(randomProblem(5));
    expect(rolloutSchedule(cp, { width: 1, machineAlternatives: false }).schedule.tasks).toEqual(heftSchedule(cp).tasks);
  });

  it.each<[string, object, RegExp]>([
    ['width 0', { width: 0 }, /width must be an integer >= 1, got 0/],
    ['a fractional width', { width: 2.5 }, /width must be an integer >= 1, got 2.5/],
    ['a negative budget', { maxPlacements: -1 }, /maxPlacements must be >= 0, got -1/],
    ['a priority of the wrong length', { basePriority: [1, 2] }, /basePriority has 2 entries/],
    ['a negative lower bound', { lowerBound: -1 }, /lowerBound must be a finite number >= 0, got -1/],
  ])('rejects %s', (_, options, message) => {
    const cp = compileDagProblem(randomProblem(1));
    expect(() => rolloutSchedule(cp, options)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(message) }));
  });
});

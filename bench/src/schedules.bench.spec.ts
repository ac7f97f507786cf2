import { expectedTicks, scoreSchedules, type TickObservation } from './schedules.bench';

const fired = (tickAtMs: number, delayMs: number | null, attempts = 1): TickObservation => ({ tickAtMs, shard: 0, outcome: 'fired', delayMs, firedDelayMs: delayMs === null ? 3 : delayMs / 2, attempts });

describe('bench schedules scoring', () => {
  it('lists the ticks anchor + k·every inside [from, to)', () => {
    expect(expectedTicks(1_000, 5_000, 6_000, 21_000)).toEqual([6_000, 11_000, 16_000]);
    expect(expectedTicks(1_000, 5_000, 6_001, 21_001)).toEqual([11_000, 16_000, 21_000]);
  });

  it('counts missed (skipped included), run twice (two tasks), re-runs, not started, and delay percentiles', () => {
    const s = scoreSchedules([
      { expected: [0, 5_000, 10_000, 15_000], observed: [fired(0, 10), fired(5_000, 30, 2), { tickAtMs: 10_000, shard: 0, outcome: 'skipped', delayMs: null, firedDelayMs: null, attempts: null }, fired(99_000, 1)] },
      { expected: [0, 5_000], observed: [fired(0, 20), fired(0, 25), fired(5_000, null)] },
    ]);
    expect(s).toEqual({ expected: 6, fired: 4, missed: 2, skipped: 1, duplicated: 1, reRun: 1, notStarted: 1, delayP50Ms: 20, delayP99Ms: 30, delayMaxMs: 30, firedP50Ms: 5, firedP99Ms: 15, firedMaxMs: 15, lateBySecond: [] });
  });

  it('groups starts later than 50 ms by second of the window', () => {
    const s = scoreSchedules([{ expected: [1_000, 1_500, 3_200, 3_900], observed: [fired(1_000, 51), fired(1_500, 50), fired(3_200, 400), fired(3_900, 90)] }]);
    expect(s.lateBySecond).toEqual([{ second: 0, late: 1, maxMs: 51 }, { second: 2, late: 2, maxMs: 400 }]);
  });
});

import { continueAfterBatch, cutoffOf, DAY_MS, planRetention, RETENTION_OFF } from './retention-plan';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const iso = (daysAgo: number) => new Date(NOW - daysAgo * DAY_MS).toISOString();

describe('retention planning', () => {
  it('cutoffOf: 0 keeps forever, N days is now − N × 24 h, a negative or fractional day count is refused', () => {
    expect(cutoffOf(0, NOW)).toBeNull();
    expect(cutoffOf(30, NOW)?.toISOString()).toBe('2026-10-31T12:00:00.000Z');
    expect(() => cutoffOf(-1, NOW)).toThrow(/whole number/);
    expect(() => cutoffOf(1.5, NOW)).toThrow(/whole number/);
  });

  it.each([
    ['nothing configured', { tasksDays: 0, eventsDays: 0, outputsDays: 0 }, []],
    ['tasks only: the tasks step, then workflow runs with the same cutoff', { tasksDays: 30, eventsDays: 0, outputsDays: 0 }, [['tasks', iso(30), 'archive'], ['workflows', iso(30), 'archive']]],
    ['outputs shorter than tasks: dropped after the tasks step', { tasksDays: 30, eventsDays: 0, outputsDays: 7 }, [['tasks', iso(30), 'archive'], ['workflows', iso(30), 'archive'], ['outputs', iso(7), 'delete']]],
    ['events and outputs without a task retention', { tasksDays: 0, eventsDays: 14, outputsDays: 3 }, [['events', iso(14), 'delete'], ['outputs', iso(3), 'delete']]],
    ['an outputs or events retention not shorter than the tasks one has nothing left to do', { tasksDays: 10, eventsDays: 10, outputsDays: 20 }, [['tasks', iso(10), 'archive'], ['workflows', iso(10), 'archive']]],
  ] as const)('%s', (_what, days, want) => {
    const steps = planRetention({ ...RETENTION_OFF, ...days }, NOW);
    expect(steps.map((s) => [s.kind, s.cutoff.toISOString(), s.mode])).toEqual(want);
  });

  it('the tasks and workflows steps take the configured mode', () => {
    expect(planRetention({ ...RETENTION_OFF, tasksDays: 1, mode: 'delete' }, NOW).map((s) => s.mode)).toEqual(['delete', 'delete']);
  });

  it.each([
    [500, 500, 1, 10, true],
    [499, 500, 1, 10, false],
    [0, 500, 1, 10, false],
    [500, 500, 10, 10, false],
  ])('continueAfterBatch(handled %i, batch %i, done %i, max %i) = %s', (handled, size, done, max, want) => {
    expect(continueAfterBatch(handled, size, done, max)).toBe(want);
  });
});

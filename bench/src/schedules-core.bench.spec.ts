import { benchSchedules, formatCoreTable, parseRegimes, quantile, runSchedulesCore, virtualClock, type CoreBenchOptions } from './schedules-core.bench';

const base: CoreBenchOptions = { regime: 'interval-even', schedules: 100, everyMs: 5_000, durationMs: 30_000, timezone: 'Europe/Berlin', shards: 1, horizonMs: 3_000, refillEveryMs: 500, sliceBudgetMs: 2 };
const T0 = Date.parse('2025-01-01T00:00:00Z');

describe('bench schedules-core harness', () => {
  it.each(['interval-even', 'interval-aligned', 'cron-aligned'] as const)('%s in virtual time: every due tick fired once, none missed, none late', async (regime) => {
    const r = await runSchedulesCore({ ...base, regime }, virtualClock(T0));
    // 100 schedules × ticks in (T0, T0 + 29 s]: even spread anchors at T0 + 50·i ms → 5 or 6 each.
    const expected = regime === 'interval-even' ? Array.from({ length: 100 }, (_, i) => Math.floor((29_000 - 50 * i) / 5_000) + (50 * i > 0 ? 1 : 0)).reduce((a, b) => a + b, 0) : 100 * 5;
    expect(r.expectedTicks).toBe(expected);
    expect(r.missedTicks).toBe(0);
    expect(r.duplicateTicks).toBe(0);
    expect(r.firedTicks).toBeGreaterThanOrEqual(expected);
    expect(r.timerLatenessMs).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(r.offeredTicksPerSecond).toBe(20);
  });

  it('spreads anchors evenly or aligns them', () => {
    const even = benchSchedules(base, T0).map((s) => s.timeline.nextAfter(T0 - 1));
    expect(even.slice(0, 3)).toEqual([T0, T0 + 50, T0 + 100]);
    const aligned = benchSchedules({ ...base, regime: 'interval-aligned' }, T0).map((s) => s.timeline.nextAfter(T0 - 1));
    expect(new Set(aligned).size).toBe(1);
    expect(() => benchSchedules({ ...base, regime: 'cron-aligned', everyMs: 7_000 }, T0)).toThrow('--every-ms 7000');
  });

  it('quantiles are nearest-rank; regimes are validated; the table has one row per regime', async () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(() => parseRegimes('interval-even,nope')).toThrow('unknown regime "nope"');
    const r = await runSchedulesCore({ ...base, schedules: 10, durationMs: 10_000 }, virtualClock(T0));
    expect(formatCoreTable(new Map([['interval-even', [r]]])).split('\n')).toHaveLength(3);
  });
});

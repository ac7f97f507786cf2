import { accuracyMetrics, AccuracyTracker, modelVersionKey } from './accuracy.tracker';
import { DriftError } from './drift.errors';

const key = modelVersionKey('duration-gbdt', 3);

describe('accuracyMetrics', () => {
  it('hand-checked MAE, MAPE, p90 coverage and bias', () => {
    const m = accuracyMetrics([
      { predicted: 100, upper: 150, actual: 110 },
      { predicted: 200, upper: 170, actual: 180 },
      { predicted: 300, upper: 400, actual: 300 },
    ]);
    expect(m.count).toBe(3);
    expect(m.mae).toBeCloseTo((10 + 20 + 0) / 3, 12);
    expect(m.mape).toBeCloseTo((10 / 110 + 20 / 180 + 0) / 3, 12);
    expect(m.p90Coverage).toBeCloseTo(2 / 3, 12); // 180 > 170 is the miss
    expect(m.bias).toBeCloseTo((-10 + 20 + 0) / 3, 12);
    // Pinball at 0.9: over-covering by 40 costs 0.1 × 40 = 4, missing by 10 costs 0.9 × 10 = 9, over by 100 costs 10.
    expect(m.upperPinball).toBeCloseTo((4 + 9 + 10) / 3, 12);
  });

  it('leaves zero actuals out of MAPE and outcomes without an upper bound out of coverage', () => {
    const m = accuracyMetrics([
      { predicted: 5, actual: 0 },
      { predicted: 50, actual: 100, upper: 120 },
    ]);
    expect(m).toMatchObject({ mae: 27.5, mape: 0.5, mapeCount: 1, p90Coverage: 1, coverageCount: 1 });
  });

  it('reports nulls for an empty window', () => {
    expect(accuracyMetrics([])).toEqual({ count: 0, mae: null, mape: null, mapeCount: 0, p90Coverage: null, coverageCount: 0, upperPinball: null, bias: null });
  });
});

describe('AccuracyTracker', () => {
  it('keeps the last windowSize outcomes per model version', () => {
    const tracker = new AccuracyTracker({ windowSize: 2 });
    tracker.record(key, { predicted: 0, actual: 1000, atMs: 1 }); // slides out
    tracker.record(key, { predicted: 100, actual: 110, atMs: 2 });
    tracker.record(key, { predicted: 200, actual: 180, atMs: 3 });
    tracker.record('duration-gbdt@4', { predicted: 1, actual: 1, atMs: 3 });
    expect(tracker.report(key)).toMatchObject({ count: 2, mae: 15, fromMs: 2, toMs: 3 });
    expect(tracker.report('duration-gbdt@4')).toMatchObject({ count: 1, mae: 0 });
    expect(tracker.modelKeys()).toEqual(['duration-gbdt@3', 'duration-gbdt@4']);
    tracker.forget('duration-gbdt@4');
    expect(tracker.reports().map((r) => r.modelKey)).toEqual([key]);
  });

  it('also drops outcomes older than windowMs before now', () => {
    const tracker = new AccuracyTracker({ windowSize: 100, windowMs: 60_000 });
    tracker.record(key, { predicted: 0, actual: 1000, atMs: 0 });
    tracker.record(key, { predicted: 100, actual: 120, atMs: 50_000 });
    tracker.record(key, { predicted: 100, actual: 90, atMs: 100_000 });
    expect(tracker.report(key, 100_000)).toMatchObject({ count: 2, mae: 15, fromMs: 50_000 });
    expect(tracker.report(key, 200_000)).toMatchObject({ count: 0, mae: null });
    expect(tracker.report(key).count).toBe(3); // no `now`, no time bound
  });

  it('reports coverage by consecutive blocks of outcomes, so a drifting upper quantile shows', () => {
    const tracker = new AccuracyTracker({ windowSize: 100, upperQuantile: 0.8 });
    // First 10: all covered; next 10: half missed; a last partial block of 4 (< half of 10) is left out.
    for (let i = 0; i < 24; i++) tracker.record(key, { predicted: 10, upper: 20, actual: i < 10 || i % 2 === 0 ? 15 : 30, atMs: i });
    const blocks = tracker.coverageByWindow(key, 10);
    expect(blocks.map((b) => [b.fromMs, b.toMs, b.p90Coverage])).toEqual([
      [0, 9, 1],
      [10, 19, 0.5],
    ]);
    // Pinball at 0.8 in block 2: five at 0.2 × 5 = 1, five at 0.8 × 10 = 8 → 4.5 on average.
    expect(blocks[1].upperPinball).toBeCloseTo(4.5, 12);
    expect(tracker.coverageByWindow(key, 8).map((b) => b.count)).toEqual([8, 8, 8]);
    expect(() => tracker.coverageByWindow(key, 0)).toThrow('coverage window size must be an integer ≥ 1');
  });

  it('wraps around the ring correctly many times', () => {
    const tracker = new AccuracyTracker({ windowSize: 7 });
    for (let i = 0; i < 100; i++) tracker.record(key, { predicted: i, actual: 0, atMs: i });
    expect(tracker.report(key)).toMatchObject({ count: 7, mae: (93 + 99) / 2, fromMs: 93, toMs: 99 });
  });

  it.each<[string, () => unknown, string]>([
    ['a NaN prediction', () => new AccuracyTracker({ windowSize: 1 }).record(key, { predicted: Number.NaN, actual: 1, atMs: 0 }), 'predicted = NaN'],
    ['a negative actual', () => new AccuracyTracker({ windowSize: 1 }).record(key, { predicted: 1, actual: -1, atMs: 0 }), 'actual = -1'],
    ['a zero window', () => new AccuracyTracker({ windowSize: 0 }), 'windowSize must be an integer ≥ 1'],
  ])('refuses %s', (_label, act, message) => {
    expect(act).toThrow(DriftError);
    expect(act).toThrow(message);
  });
});

import { RollingConformalCalibrator, pinballLoss, replayConformal } from './conformal-calibrator';
import { seededRandom } from '../common/random';

describe('RollingConformalCalibrator', () => {
  it('shifts by the ⌈(n + 1)(1 − α)⌉-th smallest log-score of the window', () => {
    const c = new RollingConformalCalibrator({ coverage: 0.8, window: 4, minSamples: 4, step: 0 });
    expect(c.calibrate(9)).toBeCloseTo(9); // no scores yet
    // Scores log1p(actual) − log1p(raw) with raw = e − 1: log1p(actual) − 1.
    for (const actual of [Math.E - 1, Math.expm1(2), Math.expm1(0.5), Math.expm1(3)]) c.observe({ rawUpper: Math.E - 1, issuedUpper: 100, actual });
    // Scores {0, 1, −0.5, 2}; rank ⌈5 × 0.8⌉ = 4 → the largest, 2.
    expect(c.shift()).toBeCloseTo(2);
    expect(c.calibrate(Math.E - 1)).toBeCloseTo(Math.expm1(3));
    // The window slides: the oldest (0) leaves, 1.5 enters → {1, −0.5, 2, 1.5}, still rank 4 → 2.
    c.observe({ rawUpper: Math.E - 1, issuedUpper: 100, actual: Math.expm1(2.5) });
    expect(c.state().samples).toBe(4);
    expect(c.shift()).toBeCloseTo(2);
    // Scores of −1 enter: {−0.5, 2, 1.5, −1}, {2, 1.5, −1, −1}, then 2 leaves: {1.5, −1, −1, −1}.
    c.observe({ rawUpper: Math.E - 1, issuedUpper: 100, actual: 0 });
    c.observe({ rawUpper: Math.E - 1, issuedUpper: 100, actual: 0 });
    expect(c.shift()).toBeCloseTo(2);
    c.observe({ rawUpper: Math.E - 1, issuedUpper: 100, actual: 0 });
    expect(c.shift()).toBeCloseTo(1.5);
  });

  it('ACI moves α by γ(α − err): a miss lowers α (wider), a hit raises it', () => {
    const c = new RollingConformalCalibrator({ coverage: 0.9, window: 10, minSamples: 1, step: 0.05 });
    c.observe({ rawUpper: 1, issuedUpper: 1, actual: 5 }); // miss: α = 0.1 + 0.05 × (0.1 − 1)
    expect(c.state().alpha).toBeCloseTo(0.055);
    c.observe({ rawUpper: 1, issuedUpper: 10, actual: 5 }); // hit
    expect(c.state().alpha).toBeCloseTo(0.06);
    expect(c.state()).toMatchObject({ observed: 2, misses: 1 });
  });

  it('covers about 90 % on a drifting stream that the raw quantile under-covers', () => {
    const rnd = seededRandom(3);
    const n = 6000;
    const createTimes = new Float64Array(n);
    const endTimes = new Float64Array(n);
    const rawUpper = new Float64Array(n);
    const actual = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const scale = 10 * (1 + i / 2000); // durations grow; the "model" thinks they stay at 10 s scale
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      actual[i] = scale * Math.exp(0.5 * z);
      rawUpper[i] = 10 * Math.exp(0.5 * 1.2816);
      createTimes[i] = i;
      endTimes[i] = i + actual[i] / 10;
    }
    const issued = replayConformal(new RollingConformalCalibrator({ coverage: 0.9, window: 500, minSamples: 50, step: 0.005 }), { createTimes, endTimes, rawUpper, actual });
    let raw = 0;
    let cal = 0;
    for (let i = 1000; i < n; i++) {
      if (actual[i] <= rawUpper[i]) raw++;
      if (actual[i] <= issued[i]) cal++;
    }
    expect(raw / (n - 1000)).toBeLessThan(0.6);
    expect(cal / (n - 1000)).toBeGreaterThan(0.87);
    expect(cal / (n - 1000)).toBeLessThan(0.93);
  });

  it('validates its options and computes the pinball loss', () => {
    expect(() => new RollingConformalCalibrator({ coverage: 1 })).toThrow(/coverage = 1 must be in \(0, 1\)/);
    expect(() => new RollingConformalCalibrator({ window: 10, minSamples: 20 })).toThrow(/minSamples = 20/);
    // q = 0.9: under-prediction by 10 costs 9, over-prediction by 10 costs 1.
    expect(pinballLoss([20, 0], [10, 10], 0.9)).toBeCloseTo(5);
  });
});

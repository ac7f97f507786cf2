import { OnlineResidualCorrector, replayResidualCorrection } from './online-residual.corrector';

describe('OnlineResidualCorrector', () => {
  it('adds the shrunken median log-residual of the most specific key with enough samples', () => {
    const c = new OnlineResidualCorrector({ window: 3, minSamples: 2, shrink: 2 });
    c.observe(['shape:a', 'all'], Math.E - 1, Math.expm1(2)); // residual 1
    expect(c.correction(['shape:a', 'all'])).toBe(0); // one sample < minSamples
    c.observe(['shape:a', 'all'], Math.E - 1, Math.expm1(3)); // residual 2
    // median 1.5 × 2 / (2 + 2)
    expect(c.correction(['shape:a', 'all'])).toBeCloseTo(0.75);
    expect(c.correction(['shape:b', 'all'])).toBeCloseTo(0.75); // falls back to 'all'
    expect(c.correct(['shape:a'], Math.E - 1)).toBeCloseTo(Math.expm1(1.75));
  });

  it('replays causally: only residuals of tasks that ended before the arrival count', () => {
    const out = replayResidualCorrection(new OnlineResidualCorrector({ window: 5, minSamples: 1, shrink: 0 }), {
      createTimes: [0, 5, 20],
      endTimes: [10, 25, 30],
      predicted: [Math.E - 1, Math.E - 1, Math.E - 1],
      actual: [Math.expm1(2), Math.expm1(1), Math.expm1(1)],
      keys: [['k'], ['k'], ['k']],
    });
    expect(out[0]).toBeCloseTo(Math.E - 1);
    expect(out[1]).toBeCloseTo(Math.E - 1); // task 0 ends at 10 > 5
    expect(out[2]).toBeCloseTo(Math.expm1(2)); // task 0's residual (+1) is visible at 20, task 1's is not
  });
});

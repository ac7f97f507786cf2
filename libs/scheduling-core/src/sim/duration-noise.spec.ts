import { makeTask } from '../model/task.factory';
import { attemptStreamSeed, drawAttempt, instanceNoiseFactors, meanRealisedDuration, realiseInstanceDurations, realisedDuration } from './duration-noise';

describe('per-instance duration noise (mean-preserving lognormal)', () => {
  it.each([0.25, 0.5, 1])('σ = %d: the sample mean of many draws ≈ the span; log-factors have mean −σ²/2 and sd σ', (sigma) => {
    const n = 200_000;
    const d = realiseInstanceDurations([makeTask({ id: 'big', actual: 100, instances: n })], { sigma, seed: 11 });
    let s = 0;
    let ls = 0;
    let ls2 = 0;
    for (const x of d.seconds) {
      s += x;
      const l = Math.log(x / 100);
      ls += l;
      ls2 += l * l;
    }
    const mean = s / n;
    // Standard error of the mean factor: sqrt(e^{σ²} − 1) / sqrt(n) ≤ 0.3 % for σ ≤ 1; allow 1.5 %.
    expect(Math.abs(mean / 100 - 1)).toBeLessThan(0.015);
    const lm = ls / n;
    expect(lm).toBeCloseTo(-(sigma * sigma) / 2, 2);
    expect(Math.sqrt(ls2 / n - lm * lm)).toBeCloseTo(sigma, 2);
    expect(meanRealisedDuration(d, 0)).toBeCloseTo(mean, 9);
  });

  it('σ = 0 reproduces the span exactly', () => {
    const tasks = [makeTask({ id: 'a', actual: 37, instances: 5 }), makeTask({ id: 'b', actual: 1, instances: 2 })];
    const d = realiseInstanceDurations(tasks, { sigma: 0, seed: 3 });
    expect(Array.from(d.seconds)).toEqual([37, 37, 37, 37, 37, 1, 1]);
    expect(Array.from(d.offsets)).toEqual([0, 5, 7]);
    expect(realisedDuration(d, 1, 1)).toBe(1);
  });

  it('is a pure function of (task, seed, σ): same seed same draws, other seed other draws', () => {
    const tasks = [makeTask({ id: 'a', actual: 10, instances: 50 })];
    const a = realiseInstanceDurations(tasks, { sigma: 0.5, seed: 1 });
    const b = realiseInstanceDurations(tasks, { sigma: 0.5, seed: 1 });
    const c = realiseInstanceDurations(tasks, { sigma: 0.5, seed: 2 });
    expect(Array.from(a.seconds)).toEqual(Array.from(b.seconds));
    expect(Array.from(a.seconds)).not.toEqual(Array.from(c.seconds));
  });

  it('a task keeps its draws whatever else is replayed and whatever the instance cap', () => {
    const t = makeTask({ id: 'job7/task3', actual: 60, instances: 10 });
    const alone = realiseInstanceDurations([t], { sigma: 0.5, seed: 4 });
    const withOthers = realiseInstanceDurations([makeTask({ id: 'other', instances: 3 }), t], { sigma: 0.5, seed: 4 });
    const capped = realiseInstanceDurations([{ ...t, instances: 4 }], { sigma: 0.5, seed: 4 });
    expect(Array.from(withOthers.seconds.subarray(3))).toEqual(Array.from(alone.seconds));
    expect(Array.from(capped.seconds)).toEqual(Array.from(alone.seconds.subarray(0, 4)));
    expect(Array.from(instanceNoiseFactors(t.id, 10, { sigma: 0.5, seed: 4 })).map((f) => f * 60)).toEqual(Array.from(alone.seconds));
  });

  it('rejects a negative σ and a task without a span', () => {
    expect(() => realiseInstanceDurations([makeTask({ id: 'a' })], { sigma: -0.1, seed: 1 })).toThrow(/sigma/);
    expect(() => realiseInstanceDurations([{ ...makeTask({ id: 'a' }), duration: {} }], { sigma: 0.5, seed: 1 })).toThrow(/duration.actual/);
  });

  it('attempt draws: failure frequency ≈ p, and the same (task, instance, attempt) always draws the same', () => {
    const s = attemptStreamSeed(9, 'x');
    let fails = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) if (drawAttempt(s, i, 1, 0.05).fails) fails++;
    expect(fails / n).toBeCloseTo(0.05, 2);
    expect(drawAttempt(s, 3, 2, 0.5)).toEqual(drawAttempt(attemptStreamSeed(9, 'x'), 3, 2, 0.5));
    expect(drawAttempt(s, 3, 2, 0.5)).not.toEqual(drawAttempt(s, 3, 1, 0.5));
  });
});

import type { LearnedWeights } from './learned.policy';
import { SJF_ONLINE_DEFAULT_KNOBS, SJF_ONLINE_GRID, tuneSjfOnline } from './sjf-online-tuning';

describe('sjf-online tuning (coordinate descent on the training part)', () => {
  // A made-up response surface with its minimum at stretch 3, probe 1, aging 0.3 (others flat);
  // seed 1 is twice as slow as seed 0, so scoring relative to the default per seed matters.
  const surface = (w: LearnedWeights, seed: number) => {
    const x = (w.elapsedStretch ?? 0) - 3;
    const y = (w.probePenalty ?? 0) - 1;
    const z = w.agePerHour - 0.3;
    const v = (100 + 10 * x * x + 20 * y * y + 50 * z * z) * (seed + 1);
    return { perTask: v, perInstance: v / 2 };
  };

  it('finds the grid minimum, starting from the hand-set default (score 1)', () => {
    const calls: number[] = [];
    const r = tuneSjfOnline({
      rollout: (w, s) => {
        calls.push(s);
        return surface(w, s);
      },
      seeds: 3,
      label: 'test',
    });
    expect(r.steps[0]?.knobs).toEqual(SJF_ONLINE_DEFAULT_KNOBS);
    expect(r.steps[0]?.score).toBe(1);
    expect(r.knobs).toMatchObject({ elapsedStretch: 3, probePenalty: 1, agePerHour: 0.3 });
    expect(r.score).toBeLessThan(1);
    expect(r.weights.trainedOn).toBe('test');
    expect(r.weights.weights).toEqual([1, 0, 0, 0]);
    // every distinct setting rolled out once per seed
    expect(calls.length).toBe(r.steps.length * 3);
    expect(new Set(r.steps.map((s) => JSON.stringify(s.knobs))).size).toBe(r.steps.length);
    const budget = 1 + 2 * Object.values(SJF_ONLINE_GRID).reduce((s, g) => s + g.length - 1, 0);
    expect(r.steps.length).toBeLessThanOrEqual(budget);
  });

  it('keeps the default when nothing beats it', () => {
    const r = tuneSjfOnline({ rollout: () => ({ perTask: 5, perInstance: 5 }), seeds: 1, label: 'flat', passes: 3 });
    expect(r.knobs).toEqual(SJF_ONLINE_DEFAULT_KNOBS);
    expect(r.score).toBe(1);
  });
});

import { N_CONTEXT, N_TASK } from './neural-features';
import { RolloutTrajectory, assembleBatch, featureStatistics, rolloutAdvantages } from './policy-trajectory';

const rows = (n: number, width: number, base: number): Float64Array => Float64Array.from({ length: n * width }, (_, i) => base + i);

describe('rollout trajectory', () => {
  it('integrates the waiting cost as a discounted step function', () => {
    const t = new RolloutTrajectory({ perInstance: 2, perTask: 10 });
    t.queueChanged(0, 3, 0.5); // rate 2·3 + 10·0.5 = 11 on [0, 100)
    t.queueChanged(100, 1, 0.1); // rate 3 on [100, 300)
    t.queueChanged(300, 0, 0); // 0 after
    const tau = 50;
    const c = t.costToGo(tau);
    const seg = (rate: number, len: number): number => rate * tau * (1 - Math.exp(-len / tau));
    const at300 = 0;
    const at100 = seg(3, 200) + Math.exp(-200 / tau) * at300;
    const at0 = seg(11, 100) + Math.exp(-100 / tau) * at100;
    expect(c.at(0)).toBeCloseTo(at0, 9);
    expect(c.at(100)).toBeCloseTo(at100, 9);
    expect(c.at(40)).toBeCloseTo(seg(11, 60) + Math.exp(-60 / tau) * at100, 9);
    expect(c.at(500)).toBe(0);
    // Undiscounted limit: the plain integral 11·100 + 3·200.
    expect(t.costToGo(1e12).at(0)).toBeCloseTo(1700, 3);
  });

  it('keeps the last state when the queue changes twice at one instant', () => {
    const t = new RolloutTrajectory({ perInstance: 1, perTask: 0 });
    t.queueChanged(0, 5, 0);
    t.queueChanged(0, 2, 0);
    t.queueChanged(10, 0, 0);
    expect(t.costToGo(1e12).at(0)).toBeCloseTo(20, 4);
  });

  it('advantage: lower cost-to-go than the other rollouts at the same time is positive', () => {
    const mk = (rate: number, decisionAt: number[]): RolloutTrajectory => {
      const t = new RolloutTrajectory({ perInstance: 1, perTask: 0 });
      t.queueChanged(0, rate, 0);
      t.queueChanged(100, 0, 0);
      for (const at of decisionAt) t.decision(at, 2, rows(2, N_TASK, 0), rows(2, N_CONTEXT, 0), new Float64Array(2), 0);
      return t;
    };
    const good = mk(1, [0, 50]);
    const bad = mk(3, [0]);
    const [a, b] = rolloutAdvantages([good, bad], 1e9);
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(1);
    // Raw: good at 0 → −(100 − 300) = 200, at 50 → −(50 − 150) = 100; bad at 0 → −200. Normalised to unit deviation.
    const raw = [200, 100, -200];
    const mean = raw.reduce((s, x) => s + x, 0) / 3;
    const sd = Math.sqrt(raw.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    expect(Array.from(a as Float32Array)).toEqual([expect.closeTo((200 - mean) / sd, 5), expect.closeTo((100 - mean) / sd, 5)]);
    expect((b as Float32Array)[0]).toBeCloseTo((-200 - mean) / sd, 5);
  });

  it('pads decisions to the shortlist in the batch, with a mask', () => {
    const t = new RolloutTrajectory({ perInstance: 1, perTask: 0 });
    t.decision(0, 2, rows(2, N_TASK, 1), rows(2, N_CONTEXT, 100), Float64Array.from([0.5, 0.25]), 1);
    t.decision(1, 3, rows(3, N_TASK, 1000), rows(3, N_CONTEXT, 2000), Float64Array.from([1, 2, 3]), 2);
    const b = assembleBatch([t], [Float32Array.from([0.7, -0.7])], 3);
    expect(b.decisions).toBe(2);
    expect(Array.from(b.mask)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(Array.from(b.chosen)).toEqual([1, 2]);
    expect(Array.from(b.advantage)).toEqual([expect.closeTo(0.7, 6), expect.closeTo(-0.7, 6)]);
    expect(b.task[N_TASK]).toBe(1 + N_TASK); // decision 0, slot 1, feature 0
    expect(b.task[2 * N_TASK]).toBe(0); // padding
    expect(b.task[3 * N_TASK]).toBe(1000); // decision 1, slot 0
    expect(b.context[(3 + 2) * N_CONTEXT]).toBe(2000 + 2 * N_CONTEXT);
    expect(Array.from(b.waitHours)).toEqual([0.5, 0.25, 0, 1, 2, 3]);
  });

  it('feature statistics over recorded candidates', () => {
    const t = new RolloutTrajectory({ perInstance: 0, perTask: 0 });
    const task = new Float64Array(2 * N_TASK);
    task[0] = 1;
    task[N_TASK] = 3;
    t.decision(0, 2, task, new Float64Array(2 * N_CONTEXT), new Float64Array(2), 0);
    const s = featureStatistics([t]);
    expect(s.taskMean[0]).toBe(2);
    expect(s.taskStd[0]).toBe(1);
    expect(s.taskStd[1]).toBe(0.01); // constant feature: floored
  });
});

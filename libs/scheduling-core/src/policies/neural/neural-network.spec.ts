import { CONTEXT_FEATURES, TASK_FEATURES } from './neural-features';
import { makePolicyWeights } from './neural.fixtures';
import { DenseNetwork, PolicyScorer } from './neural-network';

describe('plain-TS dense network', () => {
  // 2 inputs → 2 tanh units → 1 linear output, by hand.
  const net = new DenseNetwork({
    layers: [
      { shape: [2, 2], weights: [0.5, -1, 2, 0.25], bias: [0.1, -0.2], activation: 'tanh' },
      { shape: [2, 1], weights: [1.5, -2], bias: [0.3], activation: 'linear' },
    ],
  });
  const byHand = (x0: number, x1: number): number => {
    const h0 = Math.tanh(0.1 + 0.5 * x0 + 2 * x1);
    const h1 = Math.tanh(-0.2 - 1 * x0 + 0.25 * x1);
    return 0.3 + 1.5 * h0 - 2 * h1;
  };

  it('scores a batch of rows as the hand computation does', () => {
    const x = new Float64Array([0, 0, 1, -1, 0.3, 2.5]);
    const out = new Float64Array(3);
    net.forward(x, 3, out);
    expect(Array.from(out)).toEqual([byHand(0, 0), byHand(1, -1), byHand(0.3, 2.5)].map((v) => expect.closeTo(v, 12)));
  });

  it('relu layers clip at zero', () => {
    const relu = new DenseNetwork({
      layers: [
        { shape: [1, 2], weights: [1, -1], bias: [0, 0], activation: 'relu' },
        { shape: [2, 1], weights: [1, 1], bias: [0], activation: 'linear' },
      ],
    });
    const out = new Float64Array(2);
    relu.forward(new Float64Array([3, -2]), 2, out);
    expect(Array.from(out)).toEqual([3, 2]);
  });

  it('gradient matches central finite differences', () => {
    const x = new Float64Array([0.7, -0.4]);
    const { value, grad } = net.gradient(x);
    expect(value).toBeCloseTo(byHand(0.7, -0.4), 12);
    const h = 1e-6;
    expect(grad[0]).toBeCloseTo((byHand(0.7 + h, -0.4) - byHand(0.7 - h, -0.4)) / (2 * h), 6);
    expect(grad[1]).toBeCloseTo((byHand(0.7, -0.4 + h) - byHand(0.7, -0.4 - h)) / (2 * h), 6);
  });
});

describe('policy scorer', () => {
  const w = makePolicyWeights({ randomOutput: true });
  const scorer = new PolicyScorer(w);
  const task = new Float64Array(TASK_FEATURES.map((_, i) => Math.cos(i)));
  const ctx = new Float64Array(CONTEXT_FEATURES.map((_, i) => Math.sin(i) * 0.5));

  it('attribution: skip + networks add up to the task and context scores', () => {
    const a = scorer.attribution(task, ctx);
    expect(a.taskScore).toBeCloseTo(scorer.taskScore(task), 12);
    const out = new Float64Array(1);
    scorer.contextScores(task, ctx, 1, out);
    expect(a.contextScore).toBeCloseTo(out[0] as number, 12);
  });

  it('gradient × input of a linear rule is coefficient × input', () => {
    const lin = new PolicyScorer(makePolicyWeights({ rule: { 'log_estimate_s.v1': -1, 'log_instances.v1': -0.5 } }));
    const a = lin.attribution(task, ctx);
    expect(a.task[0]).toBeCloseTo(-1 * (task[0] as number), 12);
    expect(a.task[6]).toBeCloseTo(-0.5 * (task[6] as number), 12);
    expect(Array.from(a.context).every((v) => v === 0)).toBe(true);
  });
});

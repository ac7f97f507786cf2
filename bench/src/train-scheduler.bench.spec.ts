import { TfCandidatePolicyOptimizer, loadTf } from '@kairos/ml';
import {
  DEFAULT_RETRY_POLICY,
  IDENTITY_NORMALISATION,
  N_CONTEXT,
  N_TASK,
  PolicyScorer,
  SJF_WORK_RULE,
  createPlacement,
  createPolicy,
  initialPolicyWeights,
  parsePolicyWeights,
  realiseInstanceDurations,
  resources,
  seededRng,
  syntheticWorkload,
  trainSchedulingPolicy,
  type PolicyWeights,
  type TrainingEpisode,
} from '@kairos/scheduling-core';
import { compactWeights } from './train-scheduler.bench';

const tf = loadTf();

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Weights with random normalisation, hidden and output layers (nothing zero), from a seed. */
function randomWeights(seed: number, activation: 'tanh' | 'relu'): PolicyWeights {
  const rng = seededRng(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
  const normalisation = {
    taskMean: Array.from({ length: N_TASK }, () => u(-2, 2)),
    taskStd: Array.from({ length: N_TASK }, () => u(0.2, 3)),
    contextMean: Array.from({ length: N_CONTEXT }, () => u(-1, 1)),
    contextStd: Array.from({ length: N_CONTEXT }, () => u(0.2, 2)),
  };
  const w = initialPolicyWeights({
    normalisation,
    rule: SJF_WORK_RULE,
    taskHidden: [9, 5],
    contextHidden: [7],
    activation,
    seed,
    shortlist: 5,
    pilotFraction: 0.05,
    elapsedStretch: 2,
    agingPerHour: 0.37,
    version: 'random',
    training: { method: 'none', seed, trainedOn: 'none', budget: 'none', command: '', backend: 'none', createdAt: '' },
  });
  const randomise = (net: PolicyWeights['taskNet']): PolicyWeights['taskNet'] => ({
    layers: net.layers.map((l) => ({ ...l, weights: l.weights.map(() => u(-1, 1)), bias: l.bias.map(() => u(-0.5, 0.5)) })),
  });
  return parsePolicyWeights({ ...w, taskSkip: w.taskSkip.map(() => u(-1, 1)), taskNet: randomise(w.taskNet), contextNet: randomise(w.contextNet) });
}

describe('rl policy: plain-TS inference against tfjs', () => {
  it.each(['tanh', 'relu'] as const)('scores every candidate as the tfjs model does within 1e-5 (%s)', (activation) => {
    const w = randomWeights(11, activation);
    const rng = seededRng(3);
    const decisions = 9;
    const slots = 5;
    const rows = decisions * slots;
    const task = Float32Array.from({ length: rows * N_TASK }, () => 4 * rng.next() - 2);
    const context = Float32Array.from({ length: rows * N_CONTEXT }, () => 2 * rng.next() - 1);
    const waitHours = Float32Array.from({ length: rows }, () => 3 * rng.next());
    const batch = { decisions, slots, task, context, waitHours, mask: new Float32Array(rows).fill(1), chosen: new Int32Array(decisions), advantage: new Float32Array(decisions) };
    const opt = new TfCandidatePolicyOptimizer(tf, w, w.normalisation, { learningRate: 0.01, minibatch: 0, clipNorm: 0 });
    const fromTf = opt.scores(batch);
    const aging = opt.parameters().agingPerHour;
    expect(aging).toBeCloseTo(0.37, 5);
    const scorer = new PolicyScorer(w);
    const ctxOut = new Float64Array(rows);
    scorer.contextScores(Float64Array.from(task), Float64Array.from(context), rows, ctxOut);
    let maxErr = 0;
    for (let r = 0; r < rows; r++) {
      const plain = scorer.taskScore(Float64Array.from(task.subarray(r * N_TASK, (r + 1) * N_TASK))) + (ctxOut[r] as number) + w.agingPerHour * (waitHours[r] as number);
      maxErr = Math.max(maxErr, Math.abs(plain - (fromTf[r] as number)));
    }
    expect(maxErr).toBeLessThan(1e-5);
    // The parameters read back are the ones given (float32).
    const p = opt.parameters();
    expect(p.taskNet.layers[1]?.weights[3]).toBeCloseTo(w.taskNet.layers[1]?.weights[3] ?? NaN, 6);
    opt.dispose();
  });
});

describe('rl policy training', () => {
  const NODE = resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 });
  const episode = (label: string, seed: number, n: number): TrainingEpisode => {
    const tasks = syntheticWorkload({ tasks: n, rng: seededRng(seed), meanInterArrival: 1.5 });
    return { label, tasks, nodes: [{ id: 'n0', capacity: NODE }], durations: (s) => realiseInstanceDurations(tasks, { sigma: 0.5, seed: s }), predictor: () => undefined };
  };
  const train = (seed: number) => {
    const initial = parsePolicyWeights(
      initialPolicyWeights({
        normalisation: IDENTITY_NORMALISATION,
        rule: SJF_WORK_RULE,
        taskHidden: [4],
        contextHidden: [3],
        activation: 'tanh',
        seed,
        shortlist: 4,
        pilotFraction: 0.05,
        elapsedStretch: 2,
        agingPerHour: 0.05,
        version: 'tiny',
        training: { method: 'test', seed, trainedOn: 'synthetic', budget: '2 iterations', command: '', backend: 'cpu', createdAt: '' },
      }),
    );
    const optimizer = new TfCandidatePolicyOptimizer(tf, initial, initial.normalisation, { learningRate: 0.05, minibatch: 64, clipNorm: 1 });
    const res = trainSchedulingPolicy({
      initial,
      optimizer,
      episodes: [episode('a', 1, 50), episode('b', 2, 50)],
      validation: episode('v', 3, 40),
      validationSeeds: [1],
      reference: () => createPolicy('sjf-online', { placement: createPlacement('best-fit'), rng: seededRng(1), nodeCapacity: NODE }),
      failureProbability: 0.05,
      retry: DEFAULT_RETRY_POLICY,
      placement: () => createPlacement('best-fit'),
      nodeCapacity: NODE,
      iterations: 2,
      rolloutsPerIteration: 2,
      inputSeeds: [seed * 1000],
      horizonSeconds: 600,
      entropyWeight: 0.01,
      temperature: 1,
      validateEvery: 1,
      seed,
    });
    // What the trainer's latest parameters are, whether or not they validated best.
    const last = optimizer.parameters();
    optimizer.dispose();
    return { res, last };
  };

  it('is reproducible: the same seed gives the same weights and curve, another seed other weights', () => {
    const a = train(1);
    const b = train(1);
    const c = train(2);
    expect(a.res.curve.length).toBe(3);
    expect(a.res.curve[1]?.decisions).toBeGreaterThan(0);
    expect(b.last).toEqual(a.last);
    expect(compactWeights(b.res.weights)).toEqual(compactWeights(a.res.weights));
    expect(b.res.curve.map((r) => [r.rolloutScore, r.loss, r.validation?.score])).toEqual(a.res.curve.map((r) => [r.rolloutScore, r.loss, r.validation?.score]));
    expect(c.last).not.toEqual(a.last);
    // The update moved the networks off their zero-output start.
    expect(a.last.taskNet.layers[1]?.weights.some((x) => x !== 0)).toBe(true);
  }, 120_000);
});

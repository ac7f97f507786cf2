// `kairos bench train-scheduler`: trains the learned scheduling policy (`rl`) by policy gradient in
// the simulator on the EARLIER part of the time split that `bench schedule` reports the later part
// of; validation (model selection) comes from the last part of the training span. Writes the weights
// file the policy loads and a JSON of the training curve. Method: docs/bench-schedule.md.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TfCandidatePolicyOptimizer, initTfBackend, loadTf, type TfBackendName } from '@kairos/ml';
import {
  DEFAULT_NOISE_SIGMA,
  DEFAULT_RETRY_POLICY,
  IDENTITY_NORMALISATION,
  NeuralPolicy,
  RolloutTrajectory,
  SJF_ONLINE_RULE,
  SJF_WORK_RULE,
  capInstances,
  createPlacement,
  createPolicy,
  featureStatistics,
  initialPolicyWeights,
  parsePolicyWeights,
  parseWindowSpec,
  resolveWindow,
  sampleJobs,
  seededRng,
  selectArrivalWindow,
  simulate,
  splitByArrival,
  trainSchedulingPolicy,
  type DenseActivation,
  type IterationReport,
  type PolicyWeights,
  type Task,
  type TrainingEpisode,
} from '@kairos/scheduling-core';
import { BenchArgError, intArg, loadTrace, log, makeReplayPart, numArg, runMeta } from './schedule.bench';

const DEFAULT_TRACE = 'alibaba2017:../shared/datasets/alibaba-2017/batch_task.csv';

interface TrainSchedulerOpts {
  trace: string;
  load: string;
  sample?: string;
  window?: string;
  maxInstancesPerTask: string;
  noiseSigma: string;
  failures: string;
  maxAttempts: string;
  placement: string;
  trainFraction: string;
  validationFraction: string;
  episodes: string;
  seed: string;
  iterations: string;
  rollouts: string;
  inputSeeds: string;
  horizon: string;
  entropy: string;
  temperature: string;
  learningRate: string;
  minibatch: string;
  clipNorm: string;
  validateEvery: string;
  validationSeeds: string;
  maxMinutes: string;
  shortlist: string;
  taskHidden: string;
  contextHidden: string;
  activation: string;
  backend: string;
  prior: string;
  initialAging: string;
  version?: string;
  out: string;
  curve?: string;
}

const hiddenArg = (name: string, v: string): number[] => {
  if (v.trim() === '' || v.trim() === '0') return [];
  return v.split(',').map((x) => intArg(name, x.trim(), 1, 1));
};

/** Float32 values round-trip through 9 significant digits; shorter JSON, same numbers. */
const f32 = (x: number): number => Number(x.toPrecision(9));
export function compactWeights(w: PolicyWeights): PolicyWeights {
  const net = (n: PolicyWeights['taskNet']): PolicyWeights['taskNet'] => ({ layers: n.layers.map((l) => ({ ...l, weights: l.weights.map(f32), bias: l.bias.map(f32) })) });
  return {
    ...w,
    normalisation: {
      taskMean: w.normalisation.taskMean.map(f32),
      taskStd: w.normalisation.taskStd.map(f32),
      contextMean: w.normalisation.contextMean.map(f32),
      contextStd: w.normalisation.contextStd.map(f32),
    },
    taskSkip: w.taskSkip.map(f32),
    taskNet: net(w.taskNet),
    contextNet: net(w.contextNet),
    agingPerHour: f32(w.agingPerHour),
  };
}

async function runTrainScheduler(o: TrainSchedulerOpts): Promise<void> {
  const meta = runMeta();
  const seed = intArg('seed', o.seed, 1);
  const load = numArg('load', o.load, 0.9, 0.01, 10);
  const sigma = numArg('noise-sigma', o.noiseSigma, DEFAULT_NOISE_SIGMA, 0, 5);
  const failures = numArg('failures', o.failures, 0.05, 0, 0.99);
  const retry = DEFAULT_RETRY_POLICY.with({ maxAttempts: intArg('max-attempts', o.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 1) });
  const cap = intArg('max-instances-per-task', o.maxInstancesPerTask, 64);
  const trainFraction = numArg('train-fraction', o.trainFraction, 0.5, 0.01, 0.95);
  const validationFraction = numArg('validation-fraction', o.validationFraction, 0.2, 0.01, 0.9);
  const nEpisodes = intArg('episodes', o.episodes, 3, 1);
  const iterations = intArg('iterations', o.iterations, 150, 0);
  const rollouts = intArg('rollouts', o.rollouts, 4, 2);
  const nInputSeeds = intArg('input-seeds', o.inputSeeds, 4, 1);
  const horizon = numArg('horizon', o.horizon, 1800, 1, 1e7);
  const entropyWeight = numArg('entropy', o.entropy, 0.001, 0, 10);
  const temperature = numArg('temperature', o.temperature, 0.3, 1e-3, 100);
  const learningRate = numArg('learning-rate', o.learningRate, 0.01, 1e-6, 1);
  const minibatch = intArg('minibatch', o.minibatch, 0);
  const clipNorm = numArg('clip-norm', o.clipNorm, 1, 0, 1e6);
  const validateEvery = intArg('validate-every', o.validateEvery, 5, 1);
  const nValidationSeeds = intArg('validation-seeds', o.validationSeeds, 3, 1);
  const maxMinutes = numArg('max-minutes', o.maxMinutes, 28, 0, 1e6);
  const shortlist = intArg('shortlist', o.shortlist, 8, 1);
  const taskHidden = hiddenArg('task-hidden', o.taskHidden);
  const contextHidden = hiddenArg('context-hidden', o.contextHidden);
  if (!['tanh', 'relu'].includes(o.activation)) throw new BenchArgError(`--activation: tanh or relu, got "${o.activation}"`);
  const activation = o.activation as DenseActivation;
  const backends: readonly TfBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
  if (o.backend !== 'auto' && !backends.includes(o.backend as TfBackendName)) throw new BenchArgError(`--backend: auto or one of ${backends.join(', ')}, got "${o.backend}"`);
  const priors = { 'sjf-online': SJF_ONLINE_RULE, 'sjf-work': SJF_WORK_RULE } as const;
  if (!(o.prior in priors)) throw new BenchArgError(`--prior: ${Object.keys(priors).join(' or ')}, got "${o.prior}"`);
  const prior = o.prior as keyof typeof priors;
  const initialAging = numArg('initial-aging', o.initialAging, 0.05, 0, 100);
  createPlacement(o.placement);
  let windowSpec;
  try {
    windowSpec = o.window ? parseWindowSpec(o.window) : undefined;
  } catch (e) {
    throw new BenchArgError(`--window: ${e instanceof Error ? e.message : String(e)}`);
  }

  const trace = loadTrace(o.trace, { gang: false, seed, strict: false });
  const sample = numArg('sample', o.sample, trace.kind === 'alibaba2017' ? 0.1 : 1, 0.0001, 1);
  const capped = capInstances(trace.tasks, cap);
  const window = windowSpec ? resolveWindow(windowSpec, capped) : { start: -Infinity, end: Infinity };
  const replay = sampleJobs(selectArrivalWindow(capped, window), sample);
  // The same split as bench schedule: everything here comes from its training part.
  const { earlier: training, splitAt } = splitByArrival(replay, trainFraction);
  const inner = splitByArrival(training, 1 - validationFraction);
  const part = (name: string, tasks: Task[]) =>
    makeReplayPart({ name, tasks, window: { start: -Infinity, end: Infinity }, history: capped, traceKind: trace.kind, machine: trace.machine, sigma, load, sizingSeed: seed });
  const episodes: TrainingEpisode[] = [];
  let rest = inner.earlier;
  for (let i = 0; i < nEpisodes; i++) {
    const cut = i === nEpisodes - 1 ? { earlier: rest, later: [] as Task[] } : splitByArrival(rest, 1 / (nEpisodes - i));
    const p = part(`episode-${i + 1}`, cut.earlier);
    episodes.push({ label: p.name, tasks: p.tasks, nodes: p.nodes, durations: p.durations, predictor: p.predictor });
    log(`${p.name}: ${p.tasks.length} tasks, arrivals ${p.offered.firstArrival.toFixed(0)}–${p.offered.lastArrival.toFixed(0)} s, ${p.nodes.length} nodes, ρ ${p.offered.rho.toFixed(3)}`);
    rest = cut.later;
  }
  const val = part('validation', inner.later);
  log(`validation: ${val.tasks.length} tasks, arrivals ${val.offered.firstArrival.toFixed(0)}–${val.offered.lastArrival.toFixed(0)} s, ${val.nodes.length} nodes, ρ ${val.offered.rho.toFixed(3)} (training part ends at ${splitAt.toFixed(0)} s)`);
  const validation: TrainingEpisode = { label: 'validation', tasks: val.tasks, nodes: val.nodes, durations: val.durations, predictor: val.predictor };
  const inputSeeds = Array.from({ length: nInputSeeds }, (_, j) => seed * 1000 + j);
  const validationSeeds = Array.from({ length: nValidationSeeds }, (_, j) => 1 + j);

  const choice = await initTfBackend(o.backend === 'auto' ? [] : backends.filter((b) => b !== o.backend));
  const tf = loadTf();
  log(`tfjs ${tf.version.tfjs} backend ${choice.name} (${choice.tried.map((t) => `${t.name}: ${t.ok ? 'ok' : t.error}`).join('; ')})`);

  const placement = () => createPlacement(o.placement);
  const command = `bench train-scheduler ${process.argv.slice(process.argv.indexOf('train-scheduler') + 1).join(' ')}`.trim();
  const budget = `${iterations} iterations × ${rollouts} rollouts over ${nEpisodes} episodes, ≤ ${maxMinutes} min`;
  const base = {
    taskHidden,
    contextHidden,
    activation,
    seed,
    shortlist,
    pilotFraction: 0.05,
    elapsedStretch: 2,
    agingPerHour: initialAging,
    rule: priors[prior],
    version: o.version ?? `rl-seed${seed}`,
    training: {
      method: `REINFORCE with a per-time input-dependent baseline (Decima-style), networks residual on the ${prior} rule`,
      seed,
      trainedOn: `${trace.label}: tasks arriving before ${splitAt.toFixed(0)} s (the training part of --train-fraction ${trainFraction}), job sample ${sample}, ≤ ${cap || '∞'} instances per task, σ ${sigma}, failures ${failures}, load ${load}; validation: the last ${validationFraction} of it`,
      budget,
      command,
      backend: choice.name,
      createdAt: String(meta['date']),
    },
  };
  // Feature normalisation from the prior policy's candidates on the training episodes.
  const probe = episodes.map((ep) => {
    const traj = new RolloutTrajectory({ perInstance: 0, perTask: 0 });
    const w = parsePolicyWeights(initialPolicyWeights({ ...base, normalisation: IDENTITY_NORMALISATION }));
    const s = inputSeeds[0] as number;
    simulate(ep.tasks, new NeuralPolicy({ placement: placement(), nodeCapacity: trace.machine, weights: w, recorder: traj }), {
      nodes: ep.nodes,
      failureProbability: failures,
      retry,
      seed: s,
      durations: ep.durations(s),
      predictor: ep.predictor(s),
    });
    return traj;
  });
  const normalisation = featureStatistics(probe);
  const initial = parsePolicyWeights(initialPolicyWeights({ ...base, normalisation }), 'initial weights');
  const optimizer = new TfCandidatePolicyOptimizer(tf, initial, initial.normalisation, { learningRate, minibatch, clipNorm });

  const fmt = (r: IterationReport): string => {
    const v = r.validation ? `; validation ${r.validation.score.toFixed(4)} (task ${r.validation.perTask.toFixed(1)} s, inst ${r.validation.perInstance.toFixed(1)} s)${r.validation.best ? ' best' : ''}` : '';
    if (r.iteration === 0) return `[iteration 0] initial policy (the ${prior} rule)${v} — ${r.seconds.toFixed(0)} s`;
    return `[iteration ${r.iteration}/${iterations}] ${r.episode} seed ${r.inputSeed}: ${r.decisions} choices, rollout score ${r.rolloutScore.toFixed(4)}, loss ${r.loss.toFixed(4)}, entropy ${r.entropy.toFixed(3)}, aging ${r.agingPerHour.toFixed(4)}/h${v} — ${r.seconds.toFixed(0)} s`;
  };
  const res = trainSchedulingPolicy({
    initial,
    optimizer,
    episodes,
    validation,
    validationSeeds,
    reference: () => createPolicy('sjf-online', { placement: placement(), rng: seededRng(seed), nodeCapacity: trace.machine }),
    failureProbability: failures,
    retry,
    placement,
    nodeCapacity: trace.machine,
    iterations,
    rolloutsPerIteration: rollouts,
    inputSeeds,
    horizonSeconds: horizon,
    entropyWeight,
    temperature,
    validateEvery,
    seed,
    maxSeconds: maxMinutes * 60,
    onIteration: (r) => log(fmt(r)),
  });
  optimizer.dispose();
  const last = res.curve[res.curve.length - 1];
  const weights = parsePolicyWeights(
    compactWeights({
      ...res.weights,
      training: {
        ...res.weights.training,
        validationScore: res.bestValidation,
        iterations: last?.iteration ?? 0,
        notes: {
          bestIteration: res.bestIteration,
          stoppedEarly: res.stoppedEarly,
          wallSeconds: last?.seconds ?? 0,
          options: { rollouts, inputSeeds, horizon, entropyWeight, temperature, learningRate, minibatch, clipNorm, validateEvery, validationSeeds, episodes: nEpisodes, validationFraction },
        },
      },
    }),
    'trained weights',
  );
  writeFileSync(o.out, `${JSON.stringify(weights, null, 1)}\n`);
  if (o.curve) {
    writeFileSync(
      o.curve,
      JSON.stringify(
        {
          benchmark: 'train-scheduler',
          ...meta,
          command,
          backend: choice,
          episodes: episodes.map((e) => ({ label: e.label, tasks: e.tasks.length, nodes: e.nodes.length })),
          validation: { tasks: val.tasks.length, nodes: val.nodes.length, rho: val.offered.rho, seeds: validationSeeds },
          bestIteration: res.bestIteration,
          bestValidation: res.bestValidation,
          stoppedEarly: res.stoppedEarly,
          curve: res.curve,
        },
        (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        1,
      ),
    );
  }
  process.stdout.write(
    `trained ${last?.iteration ?? 0} iterations in ${(last?.seconds ?? 0).toFixed(0)} s on ${choice.name}${res.stoppedEarly ? ' (stopped by --max-minutes)' : ''}; ` +
      `best validation score ${res.bestValidation.toFixed(4)} at iteration ${res.bestIteration} (1 = sjf-online on the validation slice); wrote ${o.out}${o.curve ? ` and ${o.curve}` : ''}\n`,
  );
}

export function register(bench: Command): void {
  bench
    .command('train-scheduler')
    .description('train the learned scheduling policy (rl) by policy gradient on the training part of the time split; writes weights + curve JSON')
    .option('--trace <spec>', 'alibaba2017:<batch_task.csv> or synthetic:<tasks>', DEFAULT_TRACE)
    .option('--load <x>', 'offered load (usual definition) each episode\'s cluster is sized for', '0.9')
    .option('--sample <f>', 'job sample (default 0.1 for alibaba2017, 1 for synthetic)')
    .option('--window <start:end>', 'only tasks arriving in [start, end) before the split')
    .option('--max-instances-per-task <n>', 'cap on instances per task (0 = as in the trace)', '64')
    .option('--noise-sigma <σ>', 'per-instance duration noise', String(DEFAULT_NOISE_SIGMA))
    .option('--failures <p>', 'transient failure probability per attempt', '0.05')
    .option('--max-attempts <n>', 'attempts per instance', String(DEFAULT_RETRY_POLICY.maxAttempts))
    .option('--placement <name>', 'placement strategy', 'best-fit')
    .option('--train-fraction <f>', 'the time split of bench schedule: train only on this earlier fraction', '0.5')
    .option('--validation-fraction <f>', 'the last fraction (by arrival time) of the training part validates (model selection)', '0.2')
    .option('--episodes <n>', 'the rest of the training part is cut by arrival time into n episodes, each sized for --load', '3')
    .option('--seed <n>', 'training seed: initial network, sampling, input seeds seed×1000 + j', '1')
    .option('--iterations <n>', 'policy-gradient iterations (the budget)', '150')
    .option('--rollouts <n>', 'rollouts per iteration on the same input (the baseline needs ≥ 2)', '4')
    .option('--input-seeds <n>', 'distinct input seeds (noise, failures) the iterations cycle through', '4')
    .option('--horizon <s>', 'discount horizon τ of the waiting cost-to-go, seconds', '1800')
    .option('--entropy <β>', 'entropy bonus weight', '0.001')
    .option('--temperature <T>', 'softmax temperature of the sampled policy', '0.3')
    .option('--learning-rate <η>', 'Adam learning rate', '0.01')
    .option('--minibatch <n>', 'decisions per Adam step (0 = one step per iteration)', '0')
    .option('--clip-norm <x>', 'global gradient-norm clip (0 = off)', '1')
    .option('--validate-every <n>', 'validate the greedy policy every n iterations', '5')
    .option('--validation-seeds <n>', 'validation seeds 1 … n', '3')
    .option('--max-minutes <m>', 'stop after the iteration that crosses this wall-clock budget (0 = none)', '28')
    .option('--shortlist <k>', 'candidates scored per decision', '8')
    .option('--task-hidden <list>', 'hidden layer sizes of the task network (0 = none)', '32')
    .option('--context-hidden <list>', 'hidden layer sizes of the context network (0 = none)', '16')
    .option('--activation <name>', 'tanh or relu', 'tanh')
    .option('--prior <rule>', 'the hand-set rule the networks start from (residual): sjf-work or sjf-online', 'sjf-work')
    .option('--initial-aging <a>', 'initial aging (score per hour waited); 0 would freeze it (softplus)', '0.05')
    .option('--backend <name>', 'tfjs backend: auto (best that loads), tensorflow-gpu, tensorflow, wasm, cpu', 'auto')
    .option('--version <id>', 'version id written into the weights (default rl-seed<seed>)')
    .option('--out <file>', 'weights file', 'rl-weights.json')
    .option('--curve <file>', 'training curve JSON')
    .action((o: TrainSchedulerOpts) => runTrainScheduler(o));
}

import { seededRng } from '../../model/clock';
import { SchedulingError } from '../../model/errors';
import type { NodeSpec } from '../../model/node.model';
import type { Resources } from '../../model/resources';
import type { Task } from '../../model/task.model';
import type { PlacementStrategy } from '../../placement/placement-strategy';
import type { RetryPolicy } from '../../retry/retry-policy';
import type { RealisedDurations } from '../../sim/duration-noise';
import { simulate } from '../../sim/simulator';
import type { DurationPredictor } from '../../traces/duration-estimator';
import type { OrderingPolicy } from '../ordering-policy';
import { NeuralPolicy } from './neural.policy';
import type { NetworkWeights, PolicyWeights } from './neural-weights';
import { RolloutTrajectory, assembleBatch, rolloutAdvantages, type CostWeights, type PolicyGradientBatch } from './policy-trajectory';

/** The trainable part of PolicyWeights. */
export interface PolicyParameters {
  readonly taskSkip: number[];
  readonly taskNet: NetworkWeights;
  readonly contextNet: NetworkWeights;
  readonly agingPerHour: number;
}

/**
 * Port for the gradient step (the tfjs adapter in libs/ml implements it; the scheduling core never
 * imports a framework). It owns the trainable parameters, starting from the initial weights.
 */
export interface PolicyGradientOptimizer {
  /** One update on loss = −mean(A · log π(chosen)) − entropyWeight · mean(entropy). */
  step(batch: PolicyGradientBatch, o: { readonly entropyWeight: number; readonly temperature: number }): { readonly loss: number; readonly entropy: number };
  parameters(): PolicyParameters;
}

/** A replayable slice: tasks, the cluster sized for it, and per-seed realised durations and warmed predictor. */
export interface TrainingEpisode {
  readonly label: string;
  readonly tasks: readonly Task[];
  readonly nodes: readonly NodeSpec[];
  readonly durations: (seed: number) => RealisedDurations;
  readonly predictor: (seed: number) => DurationPredictor | undefined;
}

export interface TrainerOptions {
  readonly initial: PolicyWeights;
  readonly optimizer: PolicyGradientOptimizer;
  readonly episodes: readonly TrainingEpisode[];
  /** Model selection (greedy rollouts), from inside the training part: never the reported part. */
  readonly validation: TrainingEpisode;
  readonly validationSeeds: readonly number[];
  /** The policy validation scores are relative to (sjf-online), per seed. */
  readonly reference: () => OrderingPolicy;
  readonly failureProbability: number;
  readonly retry: RetryPolicy;
  readonly placement: () => PlacementStrategy;
  readonly nodeCapacity: Resources;
  readonly iterations: number;
  readonly rolloutsPerIteration: number;
  /** Input seeds (noise, failures) the training rollouts cycle through. */
  readonly inputSeeds: readonly number[];
  readonly horizonSeconds: number;
  readonly entropyWeight: number;
  readonly temperature: number;
  readonly validateEvery: number;
  /** RL seed: the sampling streams. */
  readonly seed: number;
  /** Stop early (after the iteration that crosses it) when the wall-clock budget is spent; 0 = none. */
  readonly maxSeconds?: number;
  readonly now?: () => number;
  readonly onIteration?: (p: IterationReport) => void;
}

export interface IterationReport {
  readonly iteration: number;
  readonly episode: string;
  readonly inputSeed: number;
  readonly decisions: number;
  /** Mean over the sampled rollouts of ½ (wait per task ÷ the reference's + wait per instance ÷ the reference's) on this episode. */
  readonly rolloutScore: number;
  readonly loss: number;
  readonly entropy: number;
  readonly agingPerHour: number;
  readonly validation?: ValidationReport;
  readonly seconds: number;
}

export interface ValidationReport {
  /** Mean over validation seeds of ½ (per task ÷ reference + per instance ÷ reference); lower is better, 1 = the reference. */
  readonly score: number;
  readonly perTask: number;
  readonly perInstance: number;
  readonly best: boolean;
}

export interface TrainingResult {
  readonly weights: PolicyWeights;
  readonly bestIteration: number;
  readonly bestValidation: number;
  readonly curve: readonly IterationReport[];
  readonly stoppedEarly: boolean;
}

export function withParameters(base: PolicyWeights, p: PolicyParameters): PolicyWeights {
  return { ...base, taskSkip: p.taskSkip, taskNet: p.taskNet, contextNet: p.contextNet, agingPerHour: p.agingPerHour };
}

interface Waits {
  readonly perTask: number;
  readonly perInstance: number;
  readonly tasks: number;
  readonly instances: number;
}

function rollout(o: TrainerOptions, ep: TrainingEpisode, policy: OrderingPolicy, seed: number): Waits {
  const m = simulate(ep.tasks, policy, {
    nodes: ep.nodes,
    failureProbability: o.failureProbability,
    retry: o.retry,
    seed,
    durations: ep.durations(seed),
    predictor: ep.predictor(seed),
  }).metrics;
  return { perTask: m.meanWaitPerTask, perInstance: m.meanWaitPerInstance, tasks: m.tasks, instances: m.instances };
}

const rel = (x: number, ref: number): number => (ref > 0 ? x / ref : x > 0 ? 2 : 1);

/**
 * REINFORCE with an input-dependent baseline (Williams 1992; Mao et al., "Learning scheduling
 * algorithms for data processing clusters", SIGCOMM 2019 — Decima): each iteration replays one
 * training episode `rolloutsPerIteration` times with the same input and the policy sampling its
 * softmax, scores each choice by its discounted waiting cost-to-go against the other rollouts' at
 * the same simulated time, and takes one gradient step. Every `validateEvery` iterations the greedy
 * policy is replayed on the validation episode; the best validation score is the result (iteration
 * 0, the initial rule, included: training never returns something that validated worse).
 * Deterministic for a seed as long as the optimizer is.
 */
export function trainSchedulingPolicy(o: TrainerOptions): TrainingResult {
  if (o.episodes.length === 0) throw new SchedulingError('INVALID_ARGUMENT', 'training needs at least one episode');
  if (o.rolloutsPerIteration < 2) throw new SchedulingError('INVALID_ARGUMENT', 'the baseline needs at least 2 rollouts per iteration');
  if (o.inputSeeds.length === 0) throw new SchedulingError('INVALID_ARGUMENT', 'give at least one input seed');
  const now = o.now ?? ((): number => Date.now() / 1000);
  const t0 = now();
  const mkGreedy = (w: PolicyWeights): OrderingPolicy => new NeuralPolicy({ placement: o.placement(), nodeCapacity: o.nodeCapacity, weights: w });

  // Per episode: the reference's waits (scales the cost so both objectives weigh alike, and the curve).
  const refSeed = o.inputSeeds[0] as number;
  const epRef = o.episodes.map((ep) => rollout(o, ep, o.reference(), refSeed));
  const cost = (r: Waits): CostWeights => ({
    perInstance: 0.5 / Math.max(1, r.instances * Math.max(1, r.perInstance)),
    perTask: 0.5 / Math.max(1, r.tasks * Math.max(1, r.perTask)),
  });
  const valRef = o.validationSeeds.map((s) => rollout(o, o.validation, o.reference(), s));
  const validate = (w: PolicyWeights): { score: number; perTask: number; perInstance: number } => {
    let score = 0;
    let pt = 0;
    let pi = 0;
    o.validationSeeds.forEach((s, i) => {
      const r = rollout(o, o.validation, mkGreedy(w), s);
      const ref = valRef[i] as Waits;
      score += (rel(r.perTask, ref.perTask) + rel(r.perInstance, ref.perInstance)) / 2;
      pt += r.perTask;
      pi += r.perInstance;
    });
    const n = o.validationSeeds.length;
    return { score: score / n, perTask: pt / n, perInstance: pi / n };
  };

  const curve: IterationReport[] = [];
  const v0 = validate(o.initial);
  let best = { weights: o.initial, score: v0.score, iteration: 0 };
  curve.push({ iteration: 0, episode: '-', inputSeed: 0, decisions: 0, rolloutScore: NaN, loss: NaN, entropy: NaN, agingPerHour: o.initial.agingPerHour, validation: { ...v0, best: true }, seconds: now() - t0 });
  o.onIteration?.(curve[0] as IterationReport);

  let stoppedEarly = false;
  for (let it = 1; it <= o.iterations; it++) {
    const ei = (it - 1) % o.episodes.length;
    const ep = o.episodes[ei] as TrainingEpisode;
    const inputSeed = o.inputSeeds[Math.floor((it - 1) / o.episodes.length) % o.inputSeeds.length] as number;
    const weights = withParameters(o.initial, o.optimizer.parameters());
    const trajectories: RolloutTrajectory[] = [];
    let score = 0;
    for (let r = 0; r < o.rolloutsPerIteration; r++) {
      const traj = new RolloutTrajectory(cost(epRef[ei] as Waits));
      const rng = seededRng((o.seed * 1_000_003 + it * 7919 + r * 104_729) >>> 0);
      const policy = new NeuralPolicy({ placement: o.placement(), nodeCapacity: o.nodeCapacity, weights, sampling: { rng, temperature: o.temperature }, recorder: traj });
      const w = rollout(o, ep, policy, inputSeed);
      const ref = epRef[ei] as Waits;
      score += (rel(w.perTask, ref.perTask) + rel(w.perInstance, ref.perInstance)) / 2;
      trajectories.push(traj);
    }
    const adv = rolloutAdvantages(trajectories, o.horizonSeconds);
    const batch = assembleBatch(trajectories, adv, o.initial.shortlist);
    const step = batch.decisions > 0 ? o.optimizer.step(batch, { entropyWeight: o.entropyWeight, temperature: o.temperature }) : { loss: 0, entropy: 0 };
    let validation: ValidationReport | undefined;
    const outOfTime = o.maxSeconds !== undefined && o.maxSeconds > 0 && now() - t0 > o.maxSeconds;
    if (it % o.validateEvery === 0 || it === o.iterations || outOfTime) {
      const w = withParameters(o.initial, o.optimizer.parameters());
      const v = validate(w);
      const isBest = v.score < best.score;
      if (isBest) best = { weights: w, score: v.score, iteration: it };
      validation = { ...v, best: isBest };
    }
    const report: IterationReport = {
      iteration: it,
      episode: ep.label,
      inputSeed,
      decisions: batch.decisions,
      rolloutScore: score / o.rolloutsPerIteration,
      loss: step.loss,
      entropy: step.entropy,
      agingPerHour: o.optimizer.parameters().agingPerHour,
      validation,
      seconds: now() - t0,
    };
    curve.push(report);
    o.onIteration?.(report);
    if (outOfTime) {
      stoppedEarly = it < o.iterations;
      break;
    }
  }
  return { weights: best.weights, bestIteration: best.iteration, bestValidation: best.score, curve, stoppedEarly };
}

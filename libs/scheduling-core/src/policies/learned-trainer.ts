import { seededRng } from '../model/clock';
import type { NodeSpec } from '../model/node.model';
import type { Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import type { PlacementStrategy } from '../placement/placement-strategy';
import type { RealisedDurations } from '../sim/duration-noise';
import { simulate, type SimConfig } from '../sim/simulator';
import type { DurationPredictor } from '../traces/duration-estimator';
import { LEARNED_FEATURES, LearnedPolicy, type LearnedWeights } from './learned.policy';

/** One training scenario: a workload slice and the cluster it replays on. */
export interface TrainingSlice {
  readonly tasks: readonly Task[];
  readonly nodes: readonly NodeSpec[];
  readonly durations?: RealisedDurations;
  /** A fresh (warmed) predictor for each rollout; absent: the tasks' own predictions. */
  readonly predictor?: () => DurationPredictor;
}

export interface TrainOptions {
  readonly slices: readonly TrainingSlice[];
  readonly nodeCapacity: Resources;
  readonly sim: Omit<SimConfig, 'nodes' | 'durations' | 'predictor'>;
  readonly placement: () => PlacementStrategy;
  readonly iterations?: number;
  readonly samples?: number;
  readonly elite?: number;
  readonly seed?: number;
  readonly label?: string;
  readonly onIteration?: (it: number, best: number, mean: readonly number[]) => void;
}

/**
 * Trained parameters θ: [rel_uncertainty, log_dominant_share, log_pending weights, fitWeight,
 * elapsedStretch, probePenalty]. The log-duration weight is fixed at 1 (ranking is invariant to a
 * common scale, so one weight is redundant) and aging is off.
 */
export const THETA_NAMES = ['w_uncertainty', 'w_share', 'w_pending', 'fitWeight', 'elapsedStretch', 'probePenalty'] as const;
const THETA0 = [0, 0, 0, 0, 2, 0];
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function thetaToWeights(theta: readonly number[], label: string): LearnedWeights {
  const t = (i: number): number => theta[i] ?? THETA0[i] ?? 0;
  return {
    version: 2,
    features: [...LEARNED_FEATURES],
    weights: [1, r4(t(0)), r4(t(1)), r4(t(2))],
    agePerHour: 0,
    fitWeight: Math.max(0, r4(t(3))),
    candidates: 8,
    elapsedStretch: Math.max(1, r4(t(4))),
    probePenalty: Math.max(0, r4(t(5))),
    pilotFraction: 0.05,
    trainedOn: label,
  };
}

/**
 * Cross-entropy policy search: sample θ from a Gaussian, roll each out in the simulator on every
 * training slice, score = mean over slices of (mean wait per instance ÷ the slice's under θ0),
 * refit the Gaussian to the elite. Pure TS, deterministic for a seed. Returns the best θ seen
 * (θ0 — area-free SJF with online feedback — if nothing beats it).
 */
export function trainLearnedWeights(o: TrainOptions): { weights: LearnedWeights; score: number; theta: number[] } {
  const rng = seededRng(o.seed ?? 7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(Math.max(1e-12, rng.next()))) * Math.cos(2 * Math.PI * rng.next());
  const label = o.label ?? 'training slices';
  const waitOf = (theta: readonly number[], s: TrainingSlice): number => {
    const policy = new LearnedPolicy({ placement: o.placement(), nodeCapacity: o.nodeCapacity, weights: thetaToWeights(theta, label) });
    return simulate(s.tasks, policy, { ...o.sim, nodes: s.nodes, durations: s.durations, predictor: s.predictor?.() }).metrics.meanWaitPerInstance;
  };
  const base = o.slices.map((s) => Math.max(1e-9, waitOf(THETA0, s)));
  const evaluate = (theta: readonly number[]): number =>
    o.slices.reduce((acc, s, i) => acc + waitOf(theta, s) / (base[i] ?? 1), 0) / o.slices.length;
  let mean = THETA0.slice();
  let std = [0.5, 0.5, 0.5, 0.5, 1, 1];
  let best = { theta: THETA0.slice(), score: 1 };
  const iterations = o.iterations ?? 5;
  const samples = o.samples ?? 8;
  const elite = o.elite ?? 3;
  for (let it = 0; it < iterations; it++) {
    const pop: { theta: number[]; score: number }[] = [];
    for (let s = 0; s < samples; s++) {
      const theta = mean.map((m, i) => m + (std[i] ?? 0) * gauss());
      pop.push({ theta, score: evaluate(theta) });
    }
    pop.sort((a, b) => a.score - b.score);
    const top = pop.slice(0, elite);
    const first = top[0];
    if (first && first.score < best.score) best = { theta: first.theta, score: first.score };
    mean = mean.map((_, i) => top.reduce((s, p) => s + (p.theta[i] ?? 0), 0) / top.length);
    std = std.map((_, i) => Math.sqrt(top.reduce((s, p) => s + ((p.theta[i] ?? 0) - (mean[i] ?? 0)) ** 2, 0) / top.length) + 0.05);
    o.onIteration?.(it, best.score, mean);
  }
  return { weights: thetaToWeights(best.theta, label), score: best.score, theta: best.theta };
}

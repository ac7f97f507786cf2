import { gridCoordinateDescent, type RolloutWaits } from './grid-tuning';
import type { LearnedWeights } from './learned.policy';
import { SJF_ONLINE_WEIGHTS } from './policy.registry';

/**
 * Honest tuning of the strongest simple baseline (../shared/BENCHMARKS.md "Baselines"): sjf-online
 * with pilot probing, its knobs searched on the TRAINING part of a time split only, scored over
 * several seeds. The knobs and their grids:
 * - elapsedStretch: an instance that outlived the estimate is assumed to run stretch × elapsed;
 * - probePenalty, pilotFraction: after pilotFraction of a task's instances started with no run time
 *   observed, the rest rank probePenalty (log-seconds) lower until one finishes;
 * - agePerHour: log-seconds of rank gained per hour of arrival time (aging against starvation);
 * - jobBlend: weight of the job's observed run times in a not-yet-observed task's estimate.
 */
export const SJF_ONLINE_GRID = {
  elapsedStretch: [1.25, 1.5, 2, 3, 4, 8],
  probePenalty: [0, 0.25, 0.5, 1, 2],
  pilotFraction: [0.01, 0.05, 0.1, 0.2],
  agePerHour: [0, 0.1, 0.3, 1, 3, 10],
  jobBlend: [0, 0.5, 0.8],
} as const;

export type SjfOnlineKnob = keyof typeof SJF_ONLINE_GRID;
export type SjfOnlineKnobs = Readonly<Record<SjfOnlineKnob, number>>;

/** The hand-set starting point: the registry's sjf-online. */
export const SJF_ONLINE_DEFAULT_KNOBS: SjfOnlineKnobs = {
  elapsedStretch: SJF_ONLINE_WEIGHTS.elapsedStretch ?? 2,
  probePenalty: SJF_ONLINE_WEIGHTS.probePenalty ?? 0,
  pilotFraction: SJF_ONLINE_WEIGHTS.pilotFraction ?? 0.05,
  agePerHour: SJF_ONLINE_WEIGHTS.agePerHour,
  jobBlend: SJF_ONLINE_WEIGHTS.jobBlend ?? 0,
};

export function sjfOnlineWeights(k: SjfOnlineKnobs, trainedOn: string): LearnedWeights {
  return { ...SJF_ONLINE_WEIGHTS, ...k, trainedOn };
}

export type { RolloutWaits };

export interface TuningStep {
  readonly knobs: SjfOnlineKnobs;
  /** Mean over seeds of ½ (per-task ÷ default's per-task + per-instance ÷ default's per-instance); lower is better. */
  readonly score: number;
  readonly perSeed: readonly RolloutWaits[];
}

export interface TuneOptions {
  /** Runs sjf-online with `weights` on the training part with seed number `seedIndex` (0-based). */
  readonly rollout: (weights: LearnedWeights, seedIndex: number) => RolloutWaits;
  readonly seeds: number;
  /** Coordinate-descent sweeps over all knobs (default 2). */
  readonly passes?: number;
  readonly label: string;
  readonly onStep?: (step: TuningStep, evaluated: number, budget: number) => void;
}

/**
 * Coordinate descent over SJF_ONLINE_GRID from the default: for each knob in turn try every grid value
 * with the others held, keep the best; repeat `passes` times or until nothing changes. Deterministic;
 * each distinct setting is rolled out once per seed. Both per-task and per-instance waits count.
 */
export function tuneSjfOnline(o: TuneOptions): { knobs: SjfOnlineKnobs; weights: LearnedWeights; score: number; steps: TuningStep[] } {
  const r = gridCoordinateDescent(SJF_ONLINE_GRID, SJF_ONLINE_DEFAULT_KNOBS, { ...o, rollout: (knobs, s) => o.rollout(sjfOnlineWeights(knobs, o.label), s) });
  return { ...r, weights: sjfOnlineWeights(r.knobs, o.label) };
}

import { SchedulingError } from '../model/errors';
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
const KNOBS = Object.keys(SJF_ONLINE_GRID) as SjfOnlineKnob[];

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

/** Mean waits of one rollout (seconds). */
export interface RolloutWaits {
  readonly perTask: number;
  readonly perInstance: number;
}

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
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new SchedulingError('INVALID_ARGUMENT', `tuning seeds must be a positive integer, got ${o.seeds}`);
  const passes = o.passes ?? 2;
  const budget = 1 + passes * KNOBS.reduce((s, k) => s + SJF_ONLINE_GRID[k].length - 1, 0);
  const seen = new Map<string, TuningStep>();
  const steps: TuningStep[] = [];
  const key = (k: SjfOnlineKnobs): string => KNOBS.map((n) => k[n]).join('|');
  let base: RolloutWaits[] = [];
  const evaluate = (knobs: SjfOnlineKnobs): TuningStep => {
    const hit = seen.get(key(knobs));
    if (hit) return hit;
    const perSeed = Array.from({ length: o.seeds }, (_, s) => o.rollout(sjfOnlineWeights(knobs, o.label), s));
    if (base.length === 0) base = perSeed;
    const ratio = (x: number, b: number): number => (b > 0 ? x / b : x > 0 ? Infinity : 1);
    const score =
      perSeed.reduce((acc, w, s) => acc + (ratio(w.perTask, base[s]?.perTask ?? 0) + ratio(w.perInstance, base[s]?.perInstance ?? 0)) / 2, 0) / o.seeds;
    const step: TuningStep = { knobs, score, perSeed };
    seen.set(key(knobs), step);
    steps.push(step);
    o.onStep?.(step, steps.length, budget);
    return step;
  };
  let best = evaluate(SJF_ONLINE_DEFAULT_KNOBS);
  for (let p = 0; p < passes; p++) {
    let changed = false;
    for (const knob of KNOBS) {
      for (const v of SJF_ONLINE_GRID[knob]) {
        if (v === best.knobs[knob]) continue;
        const s = evaluate({ ...best.knobs, [knob]: v });
        // Strictly better by more than rounding: ties keep the earlier (closer to default) setting.
        if (s.score < best.score - 1e-9) {
          best = s;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { knobs: best.knobs, weights: sjfOnlineWeights(best.knobs, o.label), score: best.score, steps };
}

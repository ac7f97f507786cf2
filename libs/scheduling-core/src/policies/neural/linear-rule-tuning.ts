import { gridCoordinateDescent } from '../grid-tuning';
import type { PolicyWeights } from './neural-weights';
import { SJF_WORK_RULE, linearRuleWeights, type LinearRule } from './policy-weights.factory';

/**
 * Honest tuning of the sjf-work rule, as sjf-online-tuned tunes sjf-online: coordinate descent over
 * a grid, every setting replayed on the TRAINING part only with several seeds, scored by the mean
 * of (per-task wait ÷ the hand-set rule's) and (per-instance wait ÷ the hand-set rule's). Knobs:
 * - instanceWeight: coefficient of −ln(instances) (Smith's rule for the per-task objective: 1);
 * - probePenalty: rank lost by a task's remaining instances while its pilots run unobserved;
 * - memShareWeight: coefficient of the memory request as a share of a node (+ prefers big requests
 *   when they fit, − prefers small ones);
 * - agingPerHour: rank gained per hour waited.
 */
export const SJF_WORK_GRID = {
  instanceWeight: [0, 0.5, 0.75, 1, 1.25, 1.5],
  probePenalty: [0, 0.25, 0.5, 1, 2],
  memShareWeight: [-50, -20, 0, 20, 50, 100],
  agingPerHour: [0, 0.1, 0.3, 1, 3],
} as const;

export type SjfWorkKnob = keyof typeof SJF_WORK_GRID;
export type SjfWorkKnobs = Readonly<Record<SjfWorkKnob, number>>;

export const SJF_WORK_DEFAULT_KNOBS: SjfWorkKnobs = {
  instanceWeight: -(SJF_WORK_RULE['log_instances.v1'] ?? 0),
  probePenalty: -(SJF_WORK_RULE['pilots_out.v1'] ?? 0),
  memShareWeight: 0,
  agingPerHour: 0,
};

export function sjfWorkWeights(k: SjfWorkKnobs, name = 'sjf-work-tuned'): PolicyWeights {
  const rule: LinearRule = {
    'log_estimate_s.v1': -1,
    'log_instances.v1': -k.instanceWeight,
    'pilots_out.v1': -k.probePenalty,
    'mem_share.v1': k.memShareWeight,
  };
  return linearRuleWeights(name, rule, { agingPerHour: k.agingPerHour });
}

export interface SjfWorkTuningStep {
  readonly knobs: SjfWorkKnobs;
  readonly score: number;
  readonly perSeed: readonly { readonly perTask: number; readonly perInstance: number }[];
}

/** Coordinate descent from the hand-set knobs over SJF_WORK_GRID; deterministic; each setting rolled out once per seed. */
export function tuneSjfWork(o: {
  readonly rollout: (weights: PolicyWeights, seedIndex: number) => { readonly perTask: number; readonly perInstance: number };
  readonly seeds: number;
  readonly passes?: number;
  readonly onStep?: (step: SjfWorkTuningStep, evaluated: number, budget: number) => void;
}): { knobs: SjfWorkKnobs; weights: PolicyWeights; score: number; steps: SjfWorkTuningStep[] } {
  const r = gridCoordinateDescent(SJF_WORK_GRID, SJF_WORK_DEFAULT_KNOBS, { ...o, rollout: (knobs, s) => o.rollout(sjfWorkWeights(knobs), s) });
  return { ...r, weights: sjfWorkWeights(r.knobs) };
}

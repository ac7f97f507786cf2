import { SchedulingError } from '../../model/errors';
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
const KNOBS = Object.keys(SJF_WORK_GRID) as SjfWorkKnob[];

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
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new SchedulingError('INVALID_ARGUMENT', `tuning seeds must be a positive integer, got ${o.seeds}`);
  const passes = o.passes ?? 2;
  const budget = 1 + passes * KNOBS.reduce((s, k) => s + SJF_WORK_GRID[k].length - 1, 0);
  const seen = new Map<string, SjfWorkTuningStep>();
  const steps: SjfWorkTuningStep[] = [];
  let base: { perTask: number; perInstance: number }[] = [];
  const ratio = (x: number, b: number): number => (b > 0 ? x / b : x > 0 ? Infinity : 1);
  const evaluate = (knobs: SjfWorkKnobs): SjfWorkTuningStep => {
    const key = KNOBS.map((k) => knobs[k]).join('|');
    const hit = seen.get(key);
    if (hit) return hit;
    const perSeed = Array.from({ length: o.seeds }, (_, s) => o.rollout(sjfWorkWeights(knobs), s));
    if (base.length === 0) base = perSeed;
    const score = perSeed.reduce((acc, w, s) => acc + (ratio(w.perTask, base[s]?.perTask ?? 0) + ratio(w.perInstance, base[s]?.perInstance ?? 0)) / 2, 0) / o.seeds;
    const step = { knobs, score, perSeed };
    seen.set(key, step);
    steps.push(step);
    o.onStep?.(step, steps.length, budget);
    return step;
  };
  let best = evaluate(SJF_WORK_DEFAULT_KNOBS);
  for (let p = 0; p < passes; p++) {
    let changed = false;
    for (const knob of KNOBS) {
      for (const v of SJF_WORK_GRID[knob]) {
        if (v === best.knobs[knob]) continue;
        const s = evaluate({ ...best.knobs, [knob]: v });
        if (s.score < best.score - 1e-9) {
          best = s;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { knobs: best.knobs, weights: sjfWorkWeights(best.knobs), score: best.score, steps };
}

import { SchedulingError } from '../model/errors';

/** Mean waits of one rollout (seconds). */
export interface RolloutWaits {
  readonly perTask: number;
  readonly perInstance: number;
}

export interface GridTuningStep<K extends string> {
  readonly knobs: Readonly<Record<K, number>>;
  /** Mean over seeds of ½ (per-task ÷ the start's per-task + per-instance ÷ the start's per-instance); lower is better. */
  readonly score: number;
  readonly perSeed: readonly RolloutWaits[];
}

/**
 * Coordinate descent over a grid of knobs from a hand-set start: for each knob in turn try every grid
 * value with the others held, keep a strictly better one (ties keep the earlier, closer-to-start
 * setting); repeat `passes` times (default 2) or until nothing changes. Deterministic; each distinct
 * setting is rolled out once per seed, and both per-task and per-instance waits count.
 */
export function gridCoordinateDescent<K extends string>(
  grid: Readonly<Record<K, readonly number[]>>,
  start: Readonly<Record<K, number>>,
  o: {
    readonly rollout: (knobs: Readonly<Record<K, number>>, seedIndex: number) => RolloutWaits;
    readonly seeds: number;
    readonly passes?: number;
    readonly onStep?: (step: GridTuningStep<K>, evaluated: number, budget: number) => void;
  },
): { knobs: Readonly<Record<K, number>>; score: number; steps: GridTuningStep<K>[] } {
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new SchedulingError('INVALID_ARGUMENT', `tuning seeds must be a positive integer, got ${o.seeds}`);
  const knobNames = Object.keys(grid) as K[];
  const passes = o.passes ?? 2;
  const budget = 1 + passes * knobNames.reduce((s, k) => s + grid[k].length - 1, 0);
  const seen = new Map<string, GridTuningStep<K>>();
  const steps: GridTuningStep<K>[] = [];
  const ratio = (x: number, b: number): number => (b > 0 ? x / b : x > 0 ? Infinity : 1);
  let base: RolloutWaits[] = [];
  const evaluate = (knobs: Readonly<Record<K, number>>): GridTuningStep<K> => {
    const key = knobNames.map((k) => knobs[k]).join('|');
    const hit = seen.get(key);
    if (hit) return hit;
    const perSeed = Array.from({ length: o.seeds }, (_, s) => o.rollout(knobs, s));
    if (base.length === 0) base = perSeed;
    const score = perSeed.reduce((acc, w, s) => acc + (ratio(w.perTask, base[s]?.perTask ?? 0) + ratio(w.perInstance, base[s]?.perInstance ?? 0)) / 2, 0) / o.seeds;
    const step = { knobs, score, perSeed };
    seen.set(key, step);
    steps.push(step);
    o.onStep?.(step, steps.length, budget);
    return step;
  };
  let best = evaluate(start);
  for (let p = 0; p < passes; p++) {
    let changed = false;
    for (const knob of knobNames) {
      for (const v of grid[knob]) {
        if (v === best.knobs[knob]) continue;
        const s = evaluate({ ...best.knobs, [knob]: v });
        // Strictly better by more than rounding: ties keep the earlier (closer to start) setting.
        if (s.score < best.score - 1e-9) {
          best = s;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { knobs: best.knobs, score: best.score, steps };
}

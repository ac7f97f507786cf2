import { DagPartialSchedule, DagPlacement } from './dag-list-schedule.state';
import { DagError } from './dag.errors';
import { CompiledDagProblem, DagSchedule, DagScheduleProblem, compileDagProblem } from './dag-schedule.model';
import { isCompiled, upwardRank } from './heft.scheduler';

/**
 * Rollout list scheduling: a one-step look-ahead over a base list rule (Bertsekas, Tsitsiklis & Wu,
 * "Rollout algorithms for combinatorial optimization", J. Heuristics 3, 1997; the same family as lookahead
 * HEFT, Bittencourt, Sakellariou & Madeira, PDP 2010). The schedule is built one task at a time. At each
 * step a few candidate moves are tried: the base rule's own move (its highest-priority ready task at its
 * earliest-finish placement), the next `width - 1` ready tasks by priority at their earliest-finish
 * placements, and the top task's best core on each other machine. Each candidate is placed on a copy of
 * the partial schedule, the base rule finishes that copy, and the move whose finished copy has the
 * smallest (makespan, total finish time) is committed.
 *
 * The base rule here is HEFT's (upward rank, insertion-based earliest finish time). Its continuation from a
 * partial schedule depends only on that partial schedule, so it is sequentially consistent: the base move's
 * look-ahead value equals the value of the move chosen one step earlier, and the committed value never
 * rises from one step to the next. The final makespan is therefore never above HEFT's (the rollout
 * improvement property; proof in docs/bench-dag.md). No randomness: the same problem gives the same
 * schedule.
 *
 * Cost: at most `maxPlacements` task placements are spent on look-ahead (each is one earliest-finish
 * search over the cores); once spent, the base rule finishes the schedule, which keeps the guarantee.
 */
export interface RolloutOptions {
  /** Ready tasks tried at each step: the base rule's top `width` by priority (default 5, >= 1). */
  readonly width?: number;
  /** Also try the top task's best core on every other machine (default true). */
  readonly machineAlternatives?: boolean;
  /** Placements spent on look-ahead in all (default 600,000, >= 0). */
  readonly maxPlacements?: number;
  /** The base rule's priority (default HEFT's upward rank). */
  readonly basePriority?: ArrayLike<number>;
  /** How look-aheads with the same makespan are ranked: by total finish time (default), or not at all. */
  readonly tieBreak?: 'total-finish' | 'none';
  /**
   * A lower bound on the makespan (e.g. dagLowerBound's strongLowerBound); once the committed look-ahead
   * meets it, the rest follows the base rule, since nothing can be shorter. Default: max(critical path,
   * work / capacity), computed here.
   */
  readonly lowerBound?: number;
}

export interface RolloutResult {
  readonly schedule: DagSchedule;
  /** Makespan of the base rule alone (the first look-ahead finishes it from the empty schedule). */
  readonly baseMakespan: number;
  /** Placements spent on look-ahead. */
  readonly placements: number;
  /** Steps at which the look-ahead committed a move other than the base rule's. */
  readonly deviations: number;
  /** Whether the placement budget ran out before the last step. */
  readonly budgetExhausted: boolean;
}

export const ROLLOUT_DEFAULTS = { width: 5, machineAlternatives: true, maxPlacements: 600_000, tieBreak: 'total-finish' } as const;

/** [makespan, total finish time]: lexicographic, so ties in makespan go to the more compact schedule. */
type Value = readonly [number, number];

function better(a: Value, b: Value): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(b[0]));
  if (a[0] < b[0] - eps) return true;
  if (a[0] > b[0] + eps) return false;
  return a[1] < b[1] - 1e-9 * Math.max(1, Math.abs(b[1]));
}

export function rolloutSchedule(problem: DagScheduleProblem | CompiledDagProblem, options: RolloutOptions = {}): RolloutResult {
  const cp = isCompiled(problem) ? problem : compileDagProblem(problem);
  const width = options.width ?? ROLLOUT_DEFAULTS.width;
  const alternatives = options.machineAlternatives ?? ROLLOUT_DEFAULTS.machineAlternatives;
  const budget = options.maxPlacements ?? ROLLOUT_DEFAULTS.maxPlacements;
  if (!Number.isInteger(width) || width < 1) throw new DagError('invalid_option', `rollout width must be an integer >= 1, got ${width}`);
  if (!(budget >= 0)) throw new DagError('invalid_option', `rollout maxPlacements must be >= 0, got ${budget}`);
  if (options.lowerBound !== undefined && !(options.lowerBound >= 0 && Number.isFinite(options.lowerBound))) {
    throw new DagError('invalid_option', `rollout lowerBound must be a finite number >= 0, got ${options.lowerBound}`);
  }
  const priority = options.basePriority ?? upwardRank(cp);
  if (priority.length !== cp.n) throw new DagError('invalid_option', `rollout basePriority has ${priority.length} entries for ${cp.n} tasks`);

  // Chain tails at fastest cost, transfers free: a look-ahead in which some placed task's finish plus its
  // tail already exceeds the best makespan found at this step cannot win, so it stops there.
  const tail = new Float64Array(cp.n);
  for (let k = cp.dag.topo.length - 1; k >= 0; k--) {
    const u = cp.dag.topo[k];
    for (const v of cp.dag.succs[u]) tail[u] = Math.max(tail[u], tail[v] + cp.minCost[v]);
  }
  const tieBreak = options.tieBreak ?? ROLLOUT_DEFAULTS.tieBreak;
  let placements = 0;
  const lookAhead = (from: DagPartialSchedule, move: DagPlacement, limit: number): Value => {
    const s = from.clone();
    s.place(move);
    const before = s.placed;
    const finished = s.completeWithin(priority, tail, limit);
    placements += s.placed - before + 1;
    if (!finished) return [Infinity, Infinity];
    let total = 0;
    if (tieBreak === 'total-finish') for (let u = 0; u < cp.n; u++) total += s.finish[u];
    return [s.makespan, total];
  };

  let cpLen = 0;
  let work = 0;
  for (let u = 0; u < cp.n; u++) {
    cpLen = Math.max(cpLen, tail[u] + cp.minCost[u]);
    work += cp.minCost[u];
  }
  const optimal = Math.max(options.lowerBound ?? 0, cpLen, cp.n === 0 ? 0 : work / cp.capacity) * (1 + 1e-9);

  const state = DagPartialSchedule.empty(cp);
  if (cp.n === 0) return { schedule: state.toSchedule('rollout'), baseMakespan: 0, placements: 0, deviations: 0, budgetExhausted: false };
  let current = lookAhead(state, state.bestPlacement(state.ready[state.pickReady(priority)]), Infinity);
  const baseMakespan = current[0];
  let deviations = 0;
  let budgetExhausted = false;
  const byPriority: number[] = [];
  while (!state.done) {
    const baseMove = state.bestPlacement(state.ready[state.pickReady(priority)]);
    if (current[0] <= optimal || placements >= budget) {
      if (current[0] > optimal) budgetExhausted = true;
      state.place(baseMove);
      continue;
    }
    const moves: DagPlacement[] = [];
    if (width > 1 && state.ready.length > 1) {
      byPriority.length = 0;
      byPriority.push(...state.ready);
      byPriority.sort((a, b) => priority[b] - priority[a] || state.topoPos[a] - state.topoPos[b]);
      for (let k = 1; k < Math.min(width, byPriority.length); k++) moves.push(state.bestPlacement(byPriority[k]));
    }
    if (alternatives && cp.machineCount > 1) {
      const own = cp.machineOfCore[baseMove.core];
      for (let m = 0; m < cp.machineCount; m++) if (m !== own) moves.push(state.bestPlacement(baseMove.task, undefined, m));
    }
    let best: DagPlacement = baseMove;
    let bestValue = current;
    for (const move of moves) {
      const v = lookAhead(state, move, bestValue[0] * (1 + 1e-9));
      if (better(v, bestValue)) {
        best = move;
        bestValue = v;
      }
    }
    if (best !== baseMove) deviations++;
    current = bestValue;
    state.place(best);
  }
  return { schedule: state.toSchedule('rollout'), baseMakespan, placements, deviations, budgetExhausted };
}

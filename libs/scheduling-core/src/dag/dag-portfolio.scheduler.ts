import { seededRandom } from '../model/clock';
import { dagListSchedule } from './dag-list-schedule.state';
import { dagLowerBound } from './dag-lower-bound.analysis';
import { CompiledDagProblem, DagSchedule, DagScheduleProblem, compileDagProblem } from './dag-schedule.model';
import { downwardRank, isCompiled, optimisticCostTable, octRank, upwardRank } from './heft.scheduler';

export interface PortfolioOptions {
  /** Local-search evaluations after the priority rules (default 200). Each is one list-scheduling pass. */
  readonly iterations?: number;
  /** Seed of the local search's random perturbations (default 1). */
  readonly seed?: number;
  /** Inject a source instead of a seed (tests). */
  readonly random?: () => number;
}

export interface PortfolioCandidate {
  readonly algorithm: string;
  readonly makespan: number;
}

export interface PortfolioResult {
  /** The shortest schedule found; never longer than `heft` because HEFT is always a candidate. */
  readonly best: DagSchedule;
  readonly heft: DagSchedule;
  readonly lowerBound: number;
  readonly candidates: readonly PortfolioCandidate[];
  readonly evaluations: number;
}

interface Rule {
  readonly name: string;
  readonly priority: Float64Array;
  readonly oct?: Float64Array;
}

/**
 * Runs several list-scheduling rules (HEFT's upward rank, CPOP's up+down rank, PEFT, upward rank with PEFT
 * placement) and then a seeded local search over the best rule's priority vector (random key
 * perturbations and pairwise swaps, accepting non-worse moves). Stops early once a schedule meets the
 * lower bound. Returns the best schedule seen.
 */
export function portfolioSchedule(problem: DagScheduleProblem | CompiledDagProblem, options: PortfolioOptions = {}): PortfolioResult {
  const cp = isCompiled(problem) ? problem : compileDagProblem(problem);
  const { lowerBound } = dagLowerBound(cp);
  const optimal = (s: DagSchedule): boolean => s.makespan <= lowerBound * (1 + 1e-9);
  const ru = upwardRank(cp);
  const rd = downwardRank(cp);
  const oct = optimisticCostTable(cp);
  const heftRule: Rule = { name: 'heft', priority: ru };
  const rules: Rule[] = [
    { name: 'cpop-rank', priority: ru.map((v, i) => v + rd[i]) },
    { name: 'peft', priority: octRank(cp, oct), oct },
    { name: 'heft-oct', priority: ru, oct },
  ];
  const heft = dagListSchedule(cp, ru, 'heft');
  const candidates: PortfolioCandidate[] = [{ algorithm: 'heft', makespan: heft.makespan }];
  let best = heft;
  let bestRule = heftRule;
  let evaluations = 1;
  for (const rule of rules) {
    if (optimal(best)) break;
    const s = dagListSchedule(cp, rule.priority, rule.name, rule.oct);
    evaluations++;
    candidates.push({ algorithm: rule.name, makespan: s.makespan });
    if (s.makespan < best.makespan) {
      best = s;
      bestRule = rule;
    }
  }

  const iterations = options.iterations ?? 200;
  const random = options.random ?? seededRandom(options.seed ?? 1);
  let current = Float64Array.from(bestRule.priority);
  let currentMakespan = best.makespan;
  const scale = current.reduce((a, v) => Math.max(a, v), 0) || 1;
  let improved = false;
  for (let it = 0; it < iterations && !optimal(best); it++) {
    const trial = Float64Array.from(current);
    const move = random();
    if (move < 0.5) {
      const sigma = move < 0.25 ? 0.02 : 0.1;
      for (let i = 0; i < trial.length; i++) trial[i] += sigma * scale * (2 * random() - 1);
    } else {
      const swaps = 1 + Math.floor(random() * 3);
      for (let k = 0; k < swaps; k++) {
        const a = Math.floor(random() * trial.length);
        const b = Math.floor(random() * trial.length);
        const t = trial[a];
        trial[a] = trial[b];
        trial[b] = t;
      }
    }
    const s = dagListSchedule(cp, trial, `${bestRule.name}+local-search`, bestRule.oct);
    evaluations++;
    if (s.makespan <= currentMakespan) {
      current = trial;
      currentMakespan = s.makespan;
      if (s.makespan < best.makespan) {
        best = s;
        improved = true;
      }
    }
  }
  if (improved) candidates.push({ algorithm: best.algorithm, makespan: best.makespan });
  return { best, heft, lowerBound, candidates, evaluations };
}

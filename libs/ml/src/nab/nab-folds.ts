import { NabInputError } from './nab.errors';
import type { NabCostMatrix } from './nab-corpus.parser';
import {
  buildNabScoringRows,
  countAtThreshold,
  rawScoreAtThreshold,
  sweepNabThreshold,
  type NabProfileScore,
  type NabScoringRows,
  type NabSeriesInput,
} from './nab-scorer';

/**
 * The fixed 2-fold split of docs/BENCHMARKS.md: the series sorted by path (code-unit order, as
 * `Array.prototype.sort` does), then alternated — the 1st, 3rd, 5th … into fold A, the 2nd, 4th … into
 * fold B. Nothing random, so every run and every reader gets the same folds.
 */
export function nabFoldSplit(names: readonly string[]): { readonly a: string[]; readonly b: string[] } {
  const sorted = [...names].sort();
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k] === sorted[k - 1]) throw new NabInputError('FOLDS', sorted[k], 'series name appears twice');
  }
  return { a: sorted.filter((_, k) => k % 2 === 0), b: sorted.filter((_, k) => k % 2 === 1) };
}

/**
 * The score of fixed scoring rows at a fixed threshold θ (rows with score ≥ θ fire), normalised against
 * those rows' own windows: what a threshold chosen elsewhere earns here.
 */
export function scoreAtThreshold(rows: NabScoringRows, cost: NabCostMatrix, threshold: number): NabProfileScore {
  const raw = rawScoreAtThreshold(rows, cost, threshold);
  const nullRaw = -cost.fnWeight * rows.windowCount;
  const perfectRaw = cost.tpWeight * rows.windowCount;
  return {
    threshold,
    raw,
    nullRaw,
    perfectRaw,
    normalised: perfectRaw === nullRaw ? 0 : (100 * (raw - nullRaw)) / (perfectRaw - nullRaw),
    ...countAtThreshold(rows, threshold),
  };
}

/** One candidate configuration's scores over the whole corpus (one entry per series). */
export interface NabCandidate {
  readonly label: string;
  readonly series: readonly NabSeriesInput[];
}

export type NabFoldName = 'A' | 'B';

/** What was chosen on one fold and what it earned on the other. */
export interface NabFoldResult {
  /** The fold the candidate and θ were chosen on. */
  readonly chosenOn: NabFoldName;
  /** The fold they were scored on (out of fold). */
  readonly scoredOn: NabFoldName;
  /** Index into the candidates and its label. */
  readonly candidate: number;
  readonly label: string;
  /** The in-fold score of the chosen candidate at its best θ (what the choice saw). */
  readonly inFold: NabProfileScore;
  /** The chosen candidate at that θ on the other fold. */
  readonly outOfFold: NabProfileScore;
}

export interface NabOutOfFold {
  /** [chosen on A → scored on B, chosen on B → scored on A]. */
  readonly folds: readonly [NabFoldResult, NabFoldResult];
  /** Mean of the two out-of-fold normalised scores: the headline. */
  readonly mean: number;
}

/** A fixed candidate (no choice among candidates), its θ chosen on one fold and applied to the other. */
export interface NabFixedCandidateFolds {
  readonly label: string;
  readonly inFold: readonly [number, number];
  readonly outOfFold: readonly [number, number];
  readonly mean: number;
}

export interface NabOutOfFoldReport {
  readonly foldA: readonly string[];
  readonly foldB: readonly string[];
  /** Per profile: candidate and θ chosen on each fold by that profile's score, scored on the other. */
  readonly profiles: ReadonlyMap<string, NabOutOfFold>;
  /** Per profile and candidate: θ alone chosen out of fold (the grid's sensitivity, nothing chosen). */
  readonly perCandidate: ReadonlyMap<string, readonly NabFixedCandidateFolds[]>;
}

/**
 * Out-of-fold NAB evaluation. Every candidate (a detector configuration from a declared grid) has
 * scored every series; the split is `nabFoldSplit`. For each profile and each direction, the candidate
 * and the threshold are chosen together on one fold — the candidate whose swept θ scores best there
 * (ties: the earliest candidate) — and that candidate at that θ is scored on the other fold. Nothing
 * about the scored fold enters the choice.
 */
export function nabOutOfFold(candidates: readonly NabCandidate[], profiles: ReadonlyMap<string, NabCostMatrix>): NabOutOfFoldReport {
  if (candidates.length === 0) throw new NabInputError('FOLDS', 'candidates', 'no candidate to choose from');
  const names = candidates[0].series.map((s) => s.name);
  for (const c of candidates) {
    const other = c.series.map((s) => s.name);
    if (other.length !== names.length || other.some((n, k) => n !== names[k])) {
      throw new NabInputError('FOLDS', c.label, 'every candidate must score the same series in the same order');
    }
  }
  const split = nabFoldSplit(names);
  if (split.b.length === 0) throw new NabInputError('FOLDS', 'corpus', 'two folds need at least two series');
  const inA = new Set(split.a);
  const rows = candidates.map((c) => ({
    A: buildNabScoringRows(c.series.filter((s) => inA.has(s.name))),
    B: buildNabScoringRows(c.series.filter((s) => !inA.has(s.name))),
  }));
  const out = new Map<string, NabOutOfFold>();
  const perCandidate = new Map<string, NabFixedCandidateFolds[]>();
  for (const [profile, cost] of profiles) {
    const swept = rows.map((r) => ({ A: sweepNabThreshold(r.A, cost), B: sweepNabThreshold(r.B, cost) }));
    const direction = (chosenOn: NabFoldName, scoredOn: NabFoldName): NabFoldResult => {
      let best = 0;
      for (let c = 1; c < candidates.length; c++) if (swept[c][chosenOn].raw > swept[best][chosenOn].raw) best = c;
      const inFold = swept[best][chosenOn];
      return {
        chosenOn,
        scoredOn,
        candidate: best,
        label: candidates[best].label,
        inFold,
        outOfFold: scoreAtThreshold(rows[best][scoredOn], cost, inFold.threshold),
      };
    };
    const folds: [NabFoldResult, NabFoldResult] = [direction('A', 'B'), direction('B', 'A')];
    out.set(profile, { folds, mean: (folds[0].outOfFold.normalised + folds[1].outOfFold.normalised) / 2 });
    perCandidate.set(
      profile,
      candidates.map((c, k) => {
        const toB = scoreAtThreshold(rows[k].B, cost, swept[k].A.threshold).normalised;
        const toA = scoreAtThreshold(rows[k].A, cost, swept[k].B.threshold).normalised;
        return { label: c.label, inFold: [swept[k].A.normalised, swept[k].B.normalised], outOfFold: [toB, toA], mean: (toB + toA) / 2 };
      }),
    );
  }
  return { foldA: split.a, foldB: split.b, profiles: out, perCandidate };
}

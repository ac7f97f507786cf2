import { DriftError } from './drift.errors';
import { countAtMost, quantileOfSorted, sortedSample } from './sorted-sample';

export interface PsiOptions {
  /** Quantile bins taken from the reference sample. */
  readonly bins?: number;
  /** Stand-in for an empty bin's share, so ln(0) never happens; the usual 1e-4. */
  readonly epsilon?: number;
}

export const DEFAULT_PSI_BINS = 10;
export const DEFAULT_PSI_EPSILON = 1e-4;

export interface PsiBin {
  /** Inclusive upper edge; +Infinity for the last bin. */
  readonly upper: number;
  readonly referenceFraction: number;
  readonly liveFraction: number;
  readonly contribution: number;
}

export interface PsiResult {
  readonly psi: number;
  readonly bins: readonly PsiBin[];
}

/**
 * Inner bin edges at the reference quantiles 1/bins … (bins-1)/bins, duplicates dropped, so each bin
 * holds about 1/bins of the reference. A value v falls in the first bin whose edge is ≥ v. Ties
 * (discrete features) collapse edges, giving fewer, heavier bins rather than empty ones.
 */
export function quantileBinEdges(sortedReference: ArrayLike<number>, bins: number): number[] {
  if (!Number.isInteger(bins) || bins < 2) {
    throw new DriftError('INVALID_POLICY', `PSI needs an integer number of bins ≥ 2, got ${bins}`, { bins });
  }
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const edge = quantileOfSorted(sortedReference, i / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Share of an ascending sample in each bin defined by `edges` (edges.length + 1 bins). */
export function binFractions(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const fractions: number[] = [];
  let below = 0;
  for (const edge of edges) {
    const atMost = countAtMost(sorted, edge);
    fractions.push((atMost - below) / sorted.length);
    below = atMost;
  }
  fractions.push((sorted.length - below) / sorted.length);
  return fractions;
}

/** PSI = Σ (live − ref) · ln(live / ref) over bins, empty shares replaced by `epsilon`. */
export function psiFromFractions(
  edges: readonly number[],
  referenceFractions: readonly number[],
  liveFractions: readonly number[],
  epsilon = DEFAULT_PSI_EPSILON,
): PsiResult {
  let psi = 0;
  const bins: PsiBin[] = referenceFractions.map((ref, i) => {
    const e = Math.max(ref, epsilon);
    const a = Math.max(liveFractions[i], epsilon);
    const contribution = (a - e) * Math.log(a / e);
    psi += contribution;
    return { upper: i < edges.length ? edges[i] : Number.POSITIVE_INFINITY, referenceFraction: ref, liveFraction: liveFractions[i], contribution };
  });
  return { psi, bins };
}

/**
 * Population Stability Index of `live` against `reference` (Siddiqi, Credit Risk Scorecards, 2006):
 * < 0.1 stable, 0.1–0.2 some shift, > 0.2 a shift worth acting on.
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  live: ArrayLike<number>,
  options: PsiOptions = {},
): PsiResult {
  const ref = sortedSample(reference, 'reference');
  const cur = sortedSample(live, 'live');
  const edges = quantileBinEdges(ref, options.bins ?? DEFAULT_PSI_BINS);
  return psiFromFractions(edges, binFractions(ref, edges), binFractions(cur, edges), options.epsilon ?? DEFAULT_PSI_EPSILON);
}

import { DriftError } from './drift.errors';
import { binFractions, quantileBinEdges } from './psi.statistic';
import { sortedSample } from './sorted-sample';

/** Feature name → values (one column per feature). */
export type FeatureColumns = Readonly<Record<string, ArrayLike<number>>>;

export interface ReferenceFeature {
  readonly name: string;
  /** Ascending reference values (possibly an evenly spaced subset of order statistics). */
  readonly sorted: readonly number[];
  /** Inner PSI bin edges, from the full reference sample. */
  readonly edges: readonly number[];
  readonly fractions: readonly number[];
  /** Size of the sample the profile was built from (before any thinning). */
  readonly count: number;
}

/**
 * What drift is measured against: the training window's feature distributions, summarised once at
 * training time and stored next to the model version (plain JSON).
 */
export interface ReferenceProfile {
  readonly features: readonly ReferenceFeature[];
  readonly bins: number;
}

export interface ReferenceProfileOptions {
  readonly bins?: number;
  /**
   * Keep at most this many order statistics per feature (evenly spaced through the sorted sample), so
   * the stored profile stays small; deterministic, no RNG. KS then runs against this many points.
   */
  readonly maxSamples?: number;
}

export function buildReferenceProfile(
  columns: FeatureColumns,
  features: readonly string[],
  options: ReferenceProfileOptions = {},
): ReferenceProfile {
  const bins = options.bins ?? 10;
  const maxSamples = options.maxSamples ?? Number.POSITIVE_INFINITY;
  if (!(maxSamples >= 2)) throw new DriftError('INVALID_POLICY', `maxSamples must be ≥ 2, got ${maxSamples}`);
  return {
    bins,
    features: features.map((name) => {
      const sorted = sortedSample(requireColumn(columns, name, 'reference'), `reference feature ${name}`);
      const edges = quantileBinEdges(sorted, bins);
      return { name, sorted: thinSorted(sorted, maxSamples), edges, fractions: binFractions(sorted, edges), count: sorted.length };
    }),
  };
}

export function requireColumn(columns: FeatureColumns, name: string, side: string): ArrayLike<number> {
  const column = Object.prototype.hasOwnProperty.call(columns, name) ? columns[name] : undefined;
  if (!column) {
    throw new DriftError('FEATURE_MISSING', `${side} data has no column for feature ${JSON.stringify(name)}`, { feature: name, side });
  }
  return column;
}

/** Turns row vectors (in `features` order) into columns; a short row is named by index. */
export function columnsFromRows(features: readonly string[], rows: ReadonlyArray<ArrayLike<number>>): Record<string, Float64Array> {
  const columns: Record<string, Float64Array> = {};
  features.forEach((name) => (columns[name] = new Float64Array(rows.length)));
  rows.forEach((row, r) => {
    if (row.length !== features.length) {
      throw new DriftError('INVALID_SAMPLE', `row ${r} has ${row.length} values, expected ${features.length} (${features.join(', ')})`, {
        row: r,
      });
    }
    features.forEach((name, f) => (columns[name][r] = row[f]));
  });
  return columns;
}

function thinSorted(sorted: Float64Array, maxSamples: number): number[] {
  if (sorted.length <= maxSamples) return Array.from(sorted);
  const out: number[] = [];
  for (let i = 0; i < maxSamples; i++) out.push(sorted[Math.round((i * (sorted.length - 1)) / (maxSamples - 1))]);
  return out;
}

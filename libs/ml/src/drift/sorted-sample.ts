import { DriftError } from './drift.errors';

/** Ascending copy of a sample; refuses empty samples and non-finite values, naming the feature and index. */
export function sortedSample(values: ArrayLike<number>, label: string): Float64Array {
  if (values.length === 0) throw new DriftError('INVALID_SAMPLE', `${label}: sample is empty`, { label });
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new DriftError('INVALID_SAMPLE', `${label}: value at index ${i} is ${String(v)}, expected a finite number`, {
        label,
        index: i,
      });
    }
    sorted[i] = v;
  }
  return sorted.sort();
}

/** Hyndman–Fan type 7 quantile (linear interpolation between order statistics; R's and numpy's default). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Number of values ≤ x in an ascending array (upper-bound binary search). */
export function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

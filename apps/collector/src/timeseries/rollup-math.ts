/** Roll-up resolutions: bucket width in ms. */
export const RESOLUTIONS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export interface RollupRow {
  count: number;
  sum: number;
  min: number;
  max: number;
  p95: number;
}

/**
 * The roll-up of a bucket's values, computed the way PostgreSQL's percentile_cont(0.95) does
 * (linear interpolation between the two nearest ranks). The reference the SQL roll-ups are checked against.
 */
export function rollupOf(values: readonly number[]): RollupRow {
  if (values.length === 0) throw new RangeError('rollupOf: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const pos = 0.95 * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const p95 = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  return { count: sorted.length, sum: sorted.reduce((s, v) => s + v, 0), min: sorted[0], max: sorted[sorted.length - 1], p95 };
}

export function bucketOf(tsMs: number, resolution: Resolution): number {
  const w = RESOLUTIONS[resolution];
  return Math.floor(tsMs / w) * w;
}

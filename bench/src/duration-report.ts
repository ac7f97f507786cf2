/**
 * Pure parts of `bench duration`: choosing the strongest baselines on validation, summarising learned
 * results over seeds, and the target checks. Unit-tested in duration-report.spec.ts.
 */
export interface PartMetrics {
  readonly n: number;
  readonly mae: number;
  readonly mape: number;
}

export interface BaselineRow {
  readonly name: string;
  readonly family: 'median-shape' | 'median-job' | 'median-shape-recent' | 'ma-global' | 'ma-shape';
  readonly validation: PartMetrics;
  readonly test: PartMetrics;
}

export interface StrongestBaselines {
  /** Lowest validation MAE of all baselines. */
  readonly strongest: BaselineRow;
  /** The better (on validation) of the same-shape and same-job median lookups: the target's reference. */
  readonly strongerMedian: BaselineRow;
  /** The moving average over the whole cluster with its window chosen on validation. */
  readonly maGlobal: BaselineRow;
}

export function bestOnValidation(rows: readonly BaselineRow[]): BaselineRow {
  if (rows.length === 0) throw new Error('no baseline rows to choose from');
  // Ties keep the earlier row.
  return rows.reduce((a, b) => (b.validation.mae < a.validation.mae ? b : a));
}

export function strongestBaselines(rows: readonly BaselineRow[]): StrongestBaselines {
  return {
    strongest: bestOnValidation(rows),
    strongerMedian: bestOnValidation(rows.filter((r) => r.family === 'median-shape' || r.family === 'median-job')),
    maGlobal: bestOnValidation(rows.filter((r) => r.family === 'ma-global')),
  };
}

/** A learned result over seeds: every seed's figure, the worst, the mean and the spread (max − min). */
export interface SeedSummary {
  readonly perSeed: readonly number[];
  readonly worst: number;
  readonly mean: number;
  readonly spread: number;
}

/** `higherIsWorse` for errors (MAE, pinball); for coverage the caller reports |coverage − target| itself. */
export function summariseSeeds(values: readonly number[]): SeedSummary {
  if (values.length === 0) throw new Error('no seeds to summarise');
  const worst = Math.max(...values);
  return { perSeed: [...values], worst, mean: values.reduce((a, v) => a + v, 0) / values.length, spread: worst - Math.min(...values) };
}

export interface DurationTargets {
  readonly maeVsStrongerMedian: number;
  readonly maeVsMaGlobal: number;
  readonly coverageLow: number;
  readonly coverageHigh: number;
  readonly pinballVsShapeQuantile: number;
}

export const ISSUE_16_TARGETS: DurationTargets = { maeVsStrongerMedian: 0.8, maeVsMaGlobal: 0.45, coverageLow: 0.88, coverageHigh: 0.92, pinballVsShapeQuantile: 0.85 };

export interface TargetCheck {
  readonly what: string;
  readonly measured: number;
  readonly bound: string;
  readonly met: boolean;
}

export function checkTargets(
  m: { maeWorst: number; strongerMedianMae: number; maGlobalMae: number; coverageWorst: number; coverageBest: number; pinballWorst: number; shapeQuantilePinball: number },
  t: DurationTargets = ISSUE_16_TARGETS,
): TargetCheck[] {
  const r1 = m.maeWorst / m.strongerMedianMae;
  const r2 = m.maeWorst / m.maGlobalMae;
  const r3 = m.pinballWorst / m.shapeQuantilePinball;
  // Coverage: every seed must fall inside the band, so the check uses the seeds furthest out on both sides.
  return [
    { what: 'MAE / stronger median baseline', measured: r1, bound: `≤ ${t.maeVsStrongerMedian}`, met: r1 <= t.maeVsStrongerMedian },
    { what: 'MAE / MA-global', measured: r2, bound: `≤ ${t.maeVsMaGlobal}`, met: r2 <= t.maeVsMaGlobal },
    {
      what: 'p90 coverage (every seed)',
      measured: m.coverageWorst,
      bound: `${t.coverageLow}–${t.coverageHigh}`,
      met: m.coverageWorst >= t.coverageLow && m.coverageWorst <= t.coverageHigh && m.coverageBest >= t.coverageLow && m.coverageBest <= t.coverageHigh,
    },
    { what: 'p90 pinball / same-shape empirical p90', measured: r3, bound: `≤ ${t.pinballVsShapeQuantile}`, met: r3 <= t.pinballVsShapeQuantile },
  ];
}

/** Fixed-width text table: first row is the header. */
export function formatTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n') + '\n';
}

/** Conformal settings chosen on validation: coverage inside the band, then the lowest pinball loss. */
export function chooseConformal<T extends { coverage: number; pinball: number }>(candidates: readonly T[], low: number, high: number): T {
  if (candidates.length === 0) throw new Error('no conformal settings to choose from');
  const inside = candidates.filter((c) => c.coverage >= low && c.coverage <= high);
  if (inside.length > 0) return inside.reduce((a, b) => (b.pinball < a.pinball ? b : a));
  const mid = (low + high) / 2;
  return candidates.reduce((a, b) => (Math.abs(b.coverage - mid) < Math.abs(a.coverage - mid) ? b : a));
}

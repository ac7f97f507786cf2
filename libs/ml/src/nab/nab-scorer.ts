import { NabInputError } from './nab.errors';
import type { NabCostMatrix, NabWindow } from './nab-corpus.parser';

/** NAB's scaled sigmoid σ(p) = 2/(1 + e^{5p}) − 1: +0.987 at p = −1, 0 at p = 0, → −1 for large p. */
export function nabScaledSigmoid(p: number): number {
  if (p > 3) return -1;
  return 2 / (1 + Math.exp(5 * p)) - 1;
}

/** Probationary rows at the start of a series: min(floor(0.15 × rows), 750). Nothing there counts. */
export function nabProbationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

export interface NabSeriesInput {
  readonly name: string;
  readonly timestamps: readonly number[];
  readonly windows: readonly NabWindow[];
  /** One score in [0, 1] per row. */
  readonly scores: ArrayLike<number>;
}

/**
 * Scoring rows of a corpus, profile-independent. For every counted (post-probation) row: its score,
 * the global window id it lies in (−1 outside windows) and its unweighted value — σ(p)/σ(−1) inside a
 * window (multiplied later by A_TP), σ(q) or −1 outside (multiplied later by A_FP).
 */
export interface NabScoringRows {
  readonly score: Float64Array;
  readonly windowId: Int32Array;
  readonly unweighted: Float64Array;
  /** Which series each row comes from (index into `seriesNames`). */
  readonly seriesIndex: Int32Array;
  readonly seriesNames: readonly string[];
  /** Series index of each counted window. */
  readonly windowSeries: Int32Array;
  readonly windowCount: number;
}

interface IndexWindow {
  readonly left: number;
  readonly right: number;
}

/**
 * Maps timestamp windows to row indices like NAB: the window starts at the first row whose timestamp
 * is ≥ start and ends at the first row after it stamped exactly `end` (else the last row ≤ end before
 * time passes `end`). A linear scan, because NAB files are not strictly ordered in time.
 */
export function windowsToIndices(name: string, timestamps: readonly number[], windows: readonly NabWindow[]): IndexWindow[] {
  return windows.map(([start, end]) => {
    const n = timestamps.length;
    let left = 0;
    while (left < n && timestamps[left] < start) left++;
    let right = -1;
    for (let i = left; i < n; i++) {
      if (timestamps[i] === end) {
        right = i;
        break;
      }
      if (timestamps[i] > end) break;
      right = i;
    }
    if (left >= n || right < left) {
      throw new NabInputError(
        'LABELS_WINDOW',
        name,
        `window [${new Date(start).toISOString()}, ${new Date(end).toISOString()}] contains no rows of the series`,
      );
    }
    return { left, right };
  });
}

/** Builds the profile-independent scoring rows for a corpus (NAB sweeper semantics). */
export function buildNabScoringRows(series: readonly NabSeriesInput[]): NabScoringRows {
  let total = 0;
  for (const s of series) {
    if (s.scores.length !== s.timestamps.length) {
      throw new NabInputError('SCORES_LENGTH', s.name, `detector gave ${s.scores.length} scores for ${s.timestamps.length} rows`);
    }
    total += s.timestamps.length - nabProbationRows(s.timestamps.length);
  }
  const score = new Float64Array(total);
  const windowId = new Int32Array(total);
  const unweighted = new Float64Array(total);
  const seriesIndex = new Int32Array(total);
  const windowSeries: number[] = [];
  const maxTp = nabScaledSigmoid(-1);
  let k = 0;
  series.forEach((s, si) => {
    const n = s.timestamps.length;
    const probation = nabProbationRows(n);
    const windows = windowsToIndices(s.name, s.timestamps, s.windows);
    // A window counts when at least one of its rows lies after probation.
    const ids = windows.map((w) => {
      if (w.right < probation) return -1;
      windowSeries.push(si);
      return windowSeries.length - 1;
    });
    let w = 0;
    let prevRight = -1;
    let prevWidth = 0;
    for (let i = 0; i < n; i++) {
      while (w < windows.length && windows[w].right < i) {
        prevRight = windows[w].right;
        prevWidth = windows[w].right - windows[w].left + 1;
        w++;
      }
      if (i < probation) continue;
      const s_i = s.scores[i];
      score[k] = Number.isFinite(s_i) ? s_i : 0;
      seriesIndex[k] = si;
      const cur = w < windows.length && windows[w].left <= i ? windows[w] : undefined;
      if (cur) {
        const width = cur.right - cur.left + 1;
        const p = -(cur.right - i + 1) / width;
        windowId[k] = ids[w];
        unweighted[k] = nabScaledSigmoid(p) / maxTp;
      } else {
        windowId[k] = -1;
        // A one-row previous window would divide by zero; NAB then treats the row as far away.
        unweighted[k] = prevRight < 0 || prevWidth <= 1 ? -1 : nabScaledSigmoid(Math.abs(i - prevRight) / (prevWidth - 1));
      }
      k++;
    }
  });
  return {
    score,
    windowId,
    unweighted,
    seriesIndex,
    seriesNames: series.map((s) => s.name),
    windowSeries: Int32Array.from(windowSeries),
    windowCount: windowSeries.length,
  };
}

export interface NabProfileScore {
  /** Detection threshold (score ≥ threshold fires); +Infinity means "never fire" was best. */
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** 100 × (raw − null)/(perfect − null). */
  readonly normalised: number;
  readonly truePositives: number;
  readonly falseNegatives: number;
  readonly falsePositives: number;
}

/**
 * Sweeps every distinct score value as θ over the whole corpus and keeps the θ with the highest raw
 * score. Rows are visited in descending score order so each step updates the raw score incrementally:
 * O(n log n) for the sort, O(n) per profile.
 */
export function sweepNabThreshold(rows: NabScoringRows, cost: NabCostMatrix, order?: Uint32Array): NabProfileScore {
  const sorted = order ?? sortByScoreDescending(rows.score);
  const W = rows.windowCount;
  const nullRaw = -cost.fnWeight * W;
  const perfectRaw = cost.tpWeight * W;
  const best = new Float64Array(W).fill(Number.NaN);
  let windowSum = nullRaw;
  let fpSum = 0;
  let bestRaw = nullRaw;
  let bestThreshold = Number.POSITIVE_INFINITY;
  const n = sorted.length;
  for (let j = 0; j < n; j++) {
    const r = sorted[j];
    const wid = rows.windowId[r];
    if (wid >= 0) {
      const v = cost.tpWeight * rows.unweighted[r];
      const old = best[wid];
      if (Number.isNaN(old)) {
        windowSum += v + cost.fnWeight;
        best[wid] = v;
      } else if (v > old) {
        windowSum += v - old;
        best[wid] = v;
      }
    } else {
      fpSum += cost.fpWeight * rows.unweighted[r];
    }
    const s = rows.score[r];
    if (j === n - 1 || rows.score[sorted[j + 1]] !== s) {
      const raw = windowSum + fpSum;
      if (raw > bestRaw) {
        bestRaw = raw;
        bestThreshold = s;
      }
    }
  }
  const counts = countAtThreshold(rows, bestThreshold);
  return {
    threshold: bestThreshold,
    raw: bestRaw,
    nullRaw,
    perfectRaw,
    normalised: perfectRaw === nullRaw ? 0 : (100 * (bestRaw - nullRaw)) / (perfectRaw - nullRaw),
    ...counts,
  };
}

export function sortByScoreDescending(score: Float64Array): Uint32Array {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[b] - score[a]);
  return order;
}

/** Detection counts at a fixed threshold (rows ≥ θ outside windows are false positives). */
export function countAtThreshold(
  rows: NabScoringRows,
  threshold: number,
): { truePositives: number; falseNegatives: number; falsePositives: number } {
  const hit = new Uint8Array(rows.windowCount);
  let falsePositives = 0;
  for (let r = 0; r < rows.score.length; r++) {
    if (rows.score[r] < threshold) continue;
    const wid = rows.windowId[r];
    if (wid >= 0) hit[wid] = 1;
    else falsePositives++;
  }
  let truePositives = 0;
  for (let w = 0; w < hit.length; w++) truePositives += hit[w];
  return { truePositives, falseNegatives: rows.windowCount - truePositives, falsePositives };
}

/** Raw score of the corpus at a fixed threshold (used for per-series breakdowns and tests). */
export function rawScoreAtThreshold(rows: NabScoringRows, cost: NabCostMatrix, threshold: number, series?: number): number {
  const best = new Float64Array(rows.windowCount).fill(Number.NaN);
  let raw = 0;
  for (let r = 0; r < rows.score.length; r++) {
    if (series !== undefined && rows.seriesIndex[r] !== series) continue;
    if (rows.score[r] < threshold) continue;
    const wid = rows.windowId[r];
    if (wid >= 0) {
      const v = cost.tpWeight * rows.unweighted[r];
      if (Number.isNaN(best[wid]) || v > best[wid]) best[wid] = v;
    } else raw += cost.fpWeight * rows.unweighted[r];
  }
  for (let w = 0; w < rows.windowCount; w++) {
    if (series !== undefined && rows.windowSeries[w] !== series) continue;
    raw += Number.isNaN(best[w]) ? -cost.fnWeight : best[w];
  }
  return raw;
}

/** Scores a corpus under every profile. */
export function scoreNabCorpus(
  series: readonly NabSeriesInput[],
  profiles: ReadonlyMap<string, NabCostMatrix>,
): { rows: NabScoringRows; profiles: Map<string, NabProfileScore> } {
  const rows = buildNabScoringRows(series);
  const order = sortByScoreDescending(rows.score);
  const out = new Map<string, NabProfileScore>();
  for (const [name, cost] of profiles) out.set(name, sweepNabThreshold(rows, cost, order));
  return { rows, profiles: out };
}

export const NAB_DEFAULT_PROFILES: ReadonlyMap<string, NabCostMatrix> = new Map([
  ['standard', { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 }],
  ['reward_low_FP_rate', { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 }],
  ['reward_low_FN_rate', { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 }],
]);

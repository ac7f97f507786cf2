// Predicted vs actual duration of one finished task.
import type { Prediction } from '../api/api-types';

export interface PredictionVerdict {
  /** actual − p50 (positive: took longer than predicted). */
  errorMs: number;
  /** |actual − p50| / actual. */
  relativeError: number;
  /** actual ≤ p90: the interval the model claims covers 90 % of runs. */
  withinP90: boolean;
}

/** Null when there is nothing to compare: no estimate, no actual yet, or an estimate from no history. */
export function predictionVerdict(p: Pick<Prediction, 'p50Ms' | 'p90Ms' | 'basedOn'> | null, actualMs: number | null): PredictionVerdict | null {
  if (!p || p.p50Ms === null || actualMs === null || p.basedOn === 0) return null;
  return {
    errorMs: actualMs - p.p50Ms,
    relativeError: actualMs > 0 ? Math.abs(actualMs - p.p50Ms) / actualMs : 0,
    withinP90: p.p90Ms !== null && actualMs <= p.p90Ms,
  };
}

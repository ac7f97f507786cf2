import type { StreamingDetector } from './anomaly-detector.types';
import { AlertSuppression, type AlertSuppressionConfig } from './alert-suppression';
import { AnomalyLikelihood, type AnomalyLikelihoodConfig } from './anomaly-likelihood';
import { RollingWindow } from './rolling-window';

/** HTM-style likelihood over an inner detector's raw scores, optionally with alert suppression. */
export function createLikelihoodDetector(
  inner: StreamingDetector,
  config: AnomalyLikelihoodConfig & { readonly suppress?: AlertSuppressionConfig } = {},
): StreamingDetector {
  const likelihood = new AnomalyLikelihood(config);
  const suppress = new AlertSuppression(config.suppress);
  return {
    name: `likelihood(${inner.name})`,
    score(timestamp: number, value: number): number {
      return suppress.next(likelihood.next(inner.score(timestamp, value)));
    },
  };
}

/** Ensemble: the maximum of its members' scores (each already in [0, 1]), optionally suppressed. */
export function createMaxEnsembleDetector(members: readonly StreamingDetector[], suppressConfig?: AlertSuppressionConfig): StreamingDetector {
  const suppress = new AlertSuppression(suppressConfig);
  return {
    name: `max(${members.map((m) => m.name).join(',')})`,
    score(timestamp: number, value: number): number {
      let best = 0;
      for (const m of members) {
        const s = m.score(timestamp, value);
        if (s > best) best = s;
      }
      return suppress.next(best);
    },
  };
}

export interface PredictionErrorConfig {
  /** Rows of the moving average the new value is predicted by. */
  readonly window?: number;
}

/** Raw score |value − mean of the last `window` values| ÷ (max − min seen so far), clipped to [0, 1]. */
export function createPredictionErrorDetector(config: PredictionErrorConfig = {}): StreamingDetector {
  const window = new RollingWindow(config.window ?? 5);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  return {
    name: 'error',
    score(_timestamp: number, value: number): number {
      const range = hi - lo;
      const s = window.size === 0 || !(range > 0) ? 0 : Math.min(1, Math.abs(value - window.mean()) / range);
      window.push(value);
      if (value < lo) lo = value;
      if (value > hi) hi = value;
      return s;
    },
  };
}

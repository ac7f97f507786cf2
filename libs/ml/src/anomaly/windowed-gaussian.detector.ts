import type { StreamingDetector } from './anomaly-detector.types';
import { RollingWindow } from './rolling-window';

export interface WindowedGaussianConfig {
  /** Rows of history the mean and deviation are estimated from (NAB's baseline uses 6400). */
  readonly windowSize?: number;
  /** Rows before the first non-zero score. */
  readonly minHistory?: number;
  /**
   * 'erf' (default, NAB's baseline): erf(|z|/√2), which saturates at 1 for |z| ≳ 6 so large deviations
   * tie; 'z': 1 − e^(−|z|/10), monotone in |z| without saturating, so a swept threshold can tell them apart.
   */
  readonly output?: 'erf' | 'z';
}

/**
 * Baseline: z-score of the new value against a sliding window of past values, mapped to the
 * two-sided Gaussian probability mass inside ±|z|, i.e. erf(|z|/√2) ∈ [0, 1).
 */
export function createWindowedGaussianDetector(config: WindowedGaussianConfig = {}): StreamingDetector {
  const window = new RollingWindow(config.windowSize ?? 6400);
  const minHistory = config.minHistory ?? 10;
  const zOutput = config.output === 'z';
  return {
    name: 'gaussian',
    score(_timestamp: number, value: number): number {
      let s = 0;
      if (window.size >= minHistory) {
        const sd = window.std();
        const diff = Math.abs(value - window.mean());
        if (zOutput) s = sd > 0 ? 1 - Math.exp(-diff / sd / 10) : diff > 0 ? 1 : 0;
        else s = sd > 0 ? erf(diff / (sd * Math.SQRT2)) : diff > 0 ? 1 : 0;
      }
      window.push(value);
      return s;
    },
  };
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a score. */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return sign * y;
}

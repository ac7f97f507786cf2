import { RollingWindow } from './rolling-window';
import { erf } from './windowed-gaussian.detector';

export interface AnomalyLikelihoodConfig {
  /** Raw scores the "normal" distribution is estimated from (HTM's historicWindowSize). */
  readonly historicWindow?: number;
  /** Short moving average of raw scores compared with that distribution (HTM's averagingWindow). */
  readonly averagingWindow?: number;
  /** Rows before the first non-zero output. */
  readonly learningRows?: number;
  /** Floor on the estimated deviation, so a perfectly quiet history does not make every blip certain. */
  readonly minStd?: number;
}

/**
 * HTM-style anomaly likelihood: turns any raw anomaly score stream into "how unlikely is the recent
 * average raw score, given the raw scores of the last `historicWindow` rows", as a Gaussian tail
 * probability, then log-scales it (log(1 − L)/log(1e−10)) so that 0.5 ≈ 1-in-10^5. Streaming and
 * causal: `next(raw)` uses only raw scores seen so far (the current one included).
 */
export class AnomalyLikelihood {
  private readonly history: RollingWindow;
  private readonly recent: RollingWindow;
  private readonly learningRows: number;
  private readonly minStd: number;
  private row = 0;

  constructor(config: AnomalyLikelihoodConfig = {}) {
    this.history = new RollingWindow(config.historicWindow ?? 8640);
    this.recent = new RollingWindow(config.averagingWindow ?? 10);
    this.learningRows = config.learningRows ?? 300;
    this.minStd = config.minStd ?? 0.03;
  }

  next(raw: number): number {
    this.recent.push(raw);
    const avg = this.recent.mean();
    let out = 0;
    if (this.row >= this.learningRows && this.history.size >= 2) {
      const std = Math.max(this.minStd, this.history.std());
      const z = (avg - this.history.mean()) / std;
      // Upper tail probability of the recent average; likelihood = 1 − tail.
      const tail = z <= 0 ? 1 : 0.5 * (1 - erf(z / Math.SQRT2));
      out = logScale(1 - tail);
    }
    this.history.push(avg);
    this.row++;
    return out;
  }
}

const LOG_1E_MINUS_10 = Math.log(1e-10);

/** HTM's log scale of a likelihood: 0 → 0, 0.9999999999 → 1. */
export function logScale(likelihood: number): number {
  return Math.min(1, Math.max(0, Math.log(1.0000000001 - likelihood) / LOG_1E_MINUS_10));
}

import type { StreamingDetector } from './anomaly-detector.types';
import { RollingWindow } from './rolling-window';

export interface RelativeEntropyConfig {
  /** Rows per window whose value histogram is compared (NAB: 52). */
  readonly window?: number;
  /** Histogram bins over the value range seen so far (NAB: 5). */
  readonly bins?: number;
  /** Agreement threshold on 2·W·KL(P̂‖P) (NAB: χ²(0.99, bins − 1) = 13.28 for 5 bins). */
  readonly agreement?: number;
  /** A hypothesis seen at most this many times still counts as anomalous (NAB: 1). */
  readonly rareCount?: number;
  /** Most hypotheses kept (the least used is dropped beyond it). */
  readonly maxHypotheses?: number;
}

/**
 * Relative entropy (Wang et al. 2011; NAB's "relativeEntropy"): the histogram of the last `window`
 * values is tested against every remembered "normal" histogram with 2·W·KL as a χ² statistic. A
 * window that agrees with none becomes a new hypothesis and scores 1; one that agrees with a rarely
 * seen hypothesis also scores 1. Unlike NAB's version, which bins over the whole file's min and max
 * (known in advance), bins span the range seen so far, so the detector is strictly causal.
 */
export function createRelativeEntropyDetector(config: RelativeEntropyConfig = {}): StreamingDetector {
  const W = config.window ?? 52;
  const B = config.bins ?? 5;
  const agreement = config.agreement ?? 13.28;
  const rareCount = config.rareCount ?? 1;
  const maxHyp = config.maxHypotheses ?? 500;
  const values = new RollingWindow(W);
  const hyps: Float64Array[] = [];
  const counts: number[] = [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  return {
    name: 'relativeEntropy',
    score(_timestamp: number, value: number): number {
      values.push(value);
      if (value < lo) lo = value;
      if (value > hi) hi = value;
      if (values.size < W) return 0;
      const p = new Float64Array(B);
      const span = hi - lo;
      for (let k = 0; k < W; k++) {
        const b = span > 0 ? Math.min(B - 1, Math.floor(((values.at(k) - lo) / span) * B)) : 0;
        p[b] += 1 / W;
      }
      let best = -1;
      let bestStat = Number.POSITIVE_INFINITY;
      for (let h = 0; h < hyps.length; h++) {
        const q = hyps[h];
        let kl = 0;
        for (let b = 0; b < B; b++) if (p[b] > 0) kl += p[b] * Math.log(p[b] / Math.max(q[b], 1e-9));
        const stat = 2 * W * kl;
        if (stat < agreement && stat < bestStat) {
          bestStat = stat;
          best = h;
        }
      }
      if (best < 0) {
        if (hyps.length >= maxHyp) {
          let least = 0;
          for (let h = 1; h < hyps.length; h++) if (counts[h] < counts[least]) least = h;
          hyps.splice(least, 1);
          counts.splice(least, 1);
        }
        hyps.push(p);
        counts.push(1);
        return 1;
      }
      counts[best]++;
      return counts[best] <= rareCount ? 1 : 0;
    },
  };
}

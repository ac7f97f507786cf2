import type { RandomSource, StreamingDetector } from './anomaly-detector.types';
import { fitIsolationForest, isolationScore, type IsolationForestModel } from './isolation-forest';
import { RollingWindow } from './rolling-window';

export interface IsolationForestDetectorConfig {
  /** Feature vectors kept for (re)fitting. */
  readonly windowSize?: number;
  /** Rows between refits. */
  readonly refitEvery?: number;
  readonly trees?: number;
  readonly sampleSize?: number;
  /** Rows for the rolling mean/std features. */
  readonly rollingSize?: number;
}

/**
 * Seed 000's isolation forest made streaming: each row becomes a feature vector (value, first and
 * second difference, deviation from and spread of a short rolling window); a forest is refitted on
 * the last `windowSize` vectors every `refitEvery` rows, standardised like the seed's StandardScaler,
 * and every new row is scored by the forest fitted on strictly earlier rows.
 */
export function createIsolationForestDetector(random: RandomSource, config: IsolationForestDetectorConfig = {}): StreamingDetector {
  const windowSize = config.windowSize ?? 512;
  const refitEvery = config.refitEvery ?? 128;
  const trees = config.trees ?? 64;
  const sampleSize = config.sampleSize ?? 128;
  const rolling = new RollingWindow(config.rollingSize ?? 12);
  const history: Float64Array[] = [];
  let model: IsolationForestModel | null = null;
  let mean = new Float64Array(5);
  let scale = new Float64Array(5).fill(1);
  let prev = Number.NaN;
  let prevDiff = 0;
  let sinceFit = 0;

  const standardise = (raw: Float64Array): Float64Array => raw.map((v, k) => (v - mean[k]) / scale[k]);

  const refit = (): void => {
    const dims = history[0].length;
    mean = new Float64Array(dims);
    scale = new Float64Array(dims);
    for (const h of history) for (let k = 0; k < dims; k++) mean[k] += h[k] / history.length;
    for (const h of history) for (let k = 0; k < dims; k++) scale[k] += (h[k] - mean[k]) ** 2 / history.length;
    for (let k = 0; k < dims; k++) scale[k] = Math.sqrt(scale[k]) || 1;
    model = fitIsolationForest(history.map(standardise), { trees, sampleSize }, random);
    sinceFit = 0;
  };

  return {
    name: 'iforest',
    score(_timestamp: number, value: number): number {
      const diff = Number.isNaN(prev) ? 0 : value - prev;
      const features = Float64Array.of(value, diff, diff - prevDiff, value - (rolling.size > 0 ? rolling.mean() : value), rolling.std());
      prev = value;
      prevDiff = diff;
      rolling.push(value);
      const s = model ? isolationScore(model, standardise(features)) : 0;
      history.push(features);
      if (history.length > windowSize) history.shift();
      sinceFit++;
      if ((model === null && history.length >= Math.min(64, windowSize)) || sinceFit >= refitEvery) refit();
      return Math.min(1, Math.max(0, s));
    },
  };
}

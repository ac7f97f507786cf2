import type { StreamingDetector } from './anomaly-detector.types';
import { AnomalyDetectorError } from './anomaly.errors';
import { createContextNoveltyDetector, type ContextNoveltyConfig } from './context-novelty.detector';
import { createIsolationForestDetector, type IsolationForestDetectorConfig } from './isolation-forest.detector';
import { seededRandom } from '../common/random';
import { createWindowedGaussianDetector, type WindowedGaussianConfig } from './windowed-gaussian.detector';

export type DetectorConfig =
  | ({ readonly kind: 'iforest'; readonly seed?: number } & IsolationForestDetectorConfig)
  | ({ readonly kind: 'gaussian' } & WindowedGaussianConfig)
  | ({ readonly kind: 'context' } & ContextNoveltyConfig);

export type DetectorKind = DetectorConfig['kind'];
export const DETECTOR_KINDS: readonly DetectorKind[] = ['iforest', 'gaussian', 'context'];

export function isDetectorKind(x: string): x is DetectorKind {
  return (DETECTOR_KINDS as readonly string[]).includes(x);
}

/**
 * Builds a fresh detector (one per stream). Rows are consumed in arrival order; non-finite values are
 * rejected and scores are clamped to [0, 1].
 */
export function createDetector(config: DetectorConfig): StreamingDetector {
  const inner = build(config);
  return {
    name: inner.name,
    score(timestamp: number, value: number): number {
      if (!Number.isFinite(value)) {
        throw new AnomalyDetectorError('INVALID_INPUT', `${inner.name}: value ${value} at ${timestamp} is not a finite number`);
      }
      const s = inner.score(timestamp, value);
      return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
    },
  };
}

function build(config: DetectorConfig): StreamingDetector {
  switch (config.kind) {
    case 'iforest':
      return createIsolationForestDetector(seededRandom(config.seed ?? 42), config);
    case 'gaussian':
      return createWindowedGaussianDetector(config);
    case 'context':
      return createContextNoveltyDetector(config);
    default: {
      const never: never = config;
      throw new AnomalyDetectorError('UNKNOWN_DETECTOR', `unknown detector ${JSON.stringify(never)}`);
    }
  }
}

import type { StreamingDetector } from './anomaly-detector.types';
import { AnomalyDetectorError } from './anomaly.errors';
import { createContextNoveltyDetector, type ContextNoveltyConfig } from './context-novelty.detector';
import { createIsolationForestDetector, type IsolationForestDetectorConfig } from './isolation-forest.detector';
import { seededRandom } from '../common/random';
import { createWindowedGaussianDetector, type WindowedGaussianConfig } from './windowed-gaussian.detector';
import type { AlertSuppressionConfig } from './alert-suppression';
import { createRelativeEntropyDetector, type RelativeEntropyConfig } from './relative-entropy.detector';
import type { AnomalyLikelihoodConfig } from './anomaly-likelihood';
import {
  createLikelihoodDetector,
  createMaxEnsembleDetector,
  createPredictionErrorDetector,
  type PredictionErrorConfig,
} from './composite.detectors';

export type DetectorConfig =
  | ({ readonly kind: 'iforest'; readonly seed?: number } & IsolationForestDetectorConfig)
  | ({ readonly kind: 'gaussian' } & WindowedGaussianConfig)
  | ({ readonly kind: 'context' } & ContextNoveltyConfig)
  | ({ readonly kind: 'error' } & PredictionErrorConfig)
  | ({ readonly kind: 'relentropy' } & RelativeEntropyConfig)
  | ({ readonly kind: 'likelihood'; readonly inner?: DetectorConfig; readonly suppress?: AlertSuppressionConfig } & AnomalyLikelihoodConfig)
  | { readonly kind: 'ensemble'; readonly members?: readonly DetectorConfig[]; readonly suppress?: AlertSuppressionConfig };

export type DetectorKind = DetectorConfig['kind'];
export const DETECTOR_KINDS: readonly DetectorKind[] = ['iforest', 'gaussian', 'context', 'error', 'relentropy', 'likelihood', 'ensemble'];

/**
 * The best configuration found on the NAB corpus (docs/bench-nab.md): the maximum of a non-saturating
 * windowed Gaussian (|z| over the last 20,000 rows) and context novelty, with alerts suppressed for 50
 * rows after an output ≥ 0.55. It is also what `{ kind: 'ensemble' }` means with no further options.
 */
export const BEST_ENSEMBLE_MEMBERS: readonly DetectorConfig[] = [{ kind: 'gaussian', output: 'z', windowSize: 20000 }, { kind: 'context' }];
export const BEST_ENSEMBLE_SUPPRESSION: AlertSuppressionConfig = { level: 0.55, rows: 50 };
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { kind: 'ensemble' };

export function isDetectorKind(x: string): x is DetectorKind {
  return (DETECTOR_KINDS as readonly string[]).includes(x);
}

/**
 * Builds a fresh detector (one per stream); with no config, the best NAB configuration. Rows are consumed in arrival order; non-finite values are
 * rejected and scores are clamped to [0, 1].
 */
export function createDetector(config: DetectorConfig = DEFAULT_DETECTOR_CONFIG): StreamingDetector {
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
    case 'error':
      return createPredictionErrorDetector(config);
    case 'relentropy':
      return createRelativeEntropyDetector(config);
    case 'likelihood':
      return createLikelihoodDetector(build(config.inner ?? { kind: 'error' }), config);
    case 'ensemble':
      return createMaxEnsembleDetector((config.members ?? BEST_ENSEMBLE_MEMBERS).map(build), config.suppress ?? BEST_ENSEMBLE_SUPPRESSION);
    default: {
      const never: never = config;
      throw new AnomalyDetectorError('UNKNOWN_DETECTOR', `unknown detector ${JSON.stringify(never)}`);
    }
  }
}

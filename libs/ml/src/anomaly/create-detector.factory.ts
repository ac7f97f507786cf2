import type { StreamInfo, StreamingDetector } from './anomaly-detector.types';
import { createCadOseDetector, type CadOseConfig } from './cad-ose.detector';
import { createArtimeDetector, type ArtimeConfig } from './artime.detector';
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
  | ({ readonly kind: 'cad-ose' } & CadOseConfig)
  | ({ readonly kind: 'artime' } & ArtimeConfig)
  | ({ readonly kind: 'error' } & PredictionErrorConfig)
  | ({ readonly kind: 'relentropy' } & RelativeEntropyConfig)
  | ({ readonly kind: 'likelihood'; readonly inner?: DetectorConfig; readonly suppress?: AlertSuppressionConfig } & AnomalyLikelihoodConfig)
  | { readonly kind: 'ensemble'; readonly members?: readonly DetectorConfig[]; readonly suppress?: AlertSuppressionConfig };

export type DetectorKind = DetectorConfig['kind'];
export const DETECTOR_KINDS: readonly DetectorKind[] = ['iforest', 'gaussian', 'context', 'cad-ose', 'artime', 'error', 'relentropy', 'likelihood', 'ensemble'];

/**
 * `{ kind: 'ensemble' }` with no further options: the maximum of CAD OSE and a non-saturating windowed
 * Gaussian (|z| over the last 20,000 rows), without alert suppression (CAD OSE rests after its own
 * alerts); the best ensemble found on the NAB corpus before ARTime (docs/bench-nab.md).
 */
export const BEST_ENSEMBLE_MEMBERS: readonly DetectorConfig[] = [{ kind: 'cad-ose' }, { kind: 'gaussian', output: 'z', windowSize: 20000 }];
/** No suppression (`rows: 0`). */
export const BEST_ENSEMBLE_SUPPRESSION: AlertSuppressionConfig = { level: 1, rows: 0 };
/**
 * The best detector on the NAB corpus (docs/bench-nab.md), and what `createDetector()` builds: ARTime,
 * both with the value range given (NAB's harness, or a metric's known domain such as 0–100 % CPU) and
 * on the causal path (no range known): there it learns the range online — the probationary period's
 * range padded by its span on each side, widened when a value falls outside it, with what was learned
 * remapped — and a short warm-up detector scores the probationary period at half weight. Best out of
 * fold on both paths (`bench nab --folds 2`).
 */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { kind: 'artime' };

export function isDetectorKind(x: string): x is DetectorKind {
  return (DETECTOR_KINDS as readonly string[]).includes(x);
}

/**
 * Builds a fresh detector (one per stream); with no config, the best NAB configuration. `info` is what
 * NAB's harness tells a detector about the stream (cad-ose and artime read it). Rows are consumed in arrival order; non-finite values are
 * rejected and scores are clamped to [0, 1].
 */
export function createDetector(config: DetectorConfig = DEFAULT_DETECTOR_CONFIG, info: StreamInfo = {}): StreamingDetector {
  const inner = build(config, info);
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

function build(config: DetectorConfig, info: StreamInfo): StreamingDetector {
  switch (config.kind) {
    case 'iforest':
      return createIsolationForestDetector(seededRandom(config.seed ?? 42), config);
    case 'gaussian':
      return createWindowedGaussianDetector(config);
    case 'context':
      return createContextNoveltyDetector(config);
    case 'cad-ose':
      return createCadOseDetector(config, info);
    case 'artime':
      return createArtimeDetector(config, info);
    case 'error':
      return createPredictionErrorDetector(config);
    case 'relentropy':
      return createRelativeEntropyDetector(config);
    case 'likelihood':
      return createLikelihoodDetector(build(config.inner ?? { kind: 'error' }, info), config);
    case 'ensemble':
      return createMaxEnsembleDetector((config.members ?? BEST_ENSEMBLE_MEMBERS).map((m) => build(m, info)), config.suppress ?? BEST_ENSEMBLE_SUPPRESSION);
    default: {
      const never: never = config;
      throw new AnomalyDetectorError('UNKNOWN_DETECTOR', `unknown detector ${JSON.stringify(never)}`);
    }
  }
}

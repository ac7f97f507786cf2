// Anomaly detection on metric streams and the NAB benchmark scorer.
export * from './anomaly/anomaly-detector.types';
export * from './anomaly/anomaly.errors';
export * from './anomaly/isolation-forest';
export * from './anomaly/isolation-forest.detector';
export * from './anomaly/windowed-gaussian.detector';
export * from './anomaly/context-novelty.detector';
export * from './anomaly/cad-ose.detector';
export * from './anomaly/relative-entropy.detector';
export * from './anomaly/anomaly-likelihood';
export * from './anomaly/alert-suppression';
export * from './anomaly/composite.detectors';
export * from './anomaly/create-detector.factory';
export * from './nab/nab.errors';
export * from './nab/nab-corpus.parser';
export * from './nab/nab-scorer';
export * from './anomaly/stream-scorers';

// Prediction models, task patterns and the tfjs backend choice. tfjs itself is only required lazily
// inside src/adapters, so importing this barrel does not load TensorFlow.js.
export * from './prediction/prediction.errors';
export * from './common/random';
export * from './prediction/gradient-boosting.model';
export * from './prediction/alibaba-trace.parser';
export * from './prediction/causal-baselines';
export * from './prediction/duration-features';
export * from './prediction/conformal-calibrator';
export * from './prediction/online-residual.corrector';
export * from './prediction/duration.predictor';
export * from './prediction/served-duration.config';
export * from './prediction/prediction.metrics';
export * from './backend/backend-selection';
export * from './adapters/tfjs-backend.adapter';
export * from './adapters/lstm-duration.model';
export * from './adapters/mlp-duration.model';
export * from './adapters/candidate-policy.tfjs';
export * from './patterns/kmeans';
export * from './patterns/task-patterns';

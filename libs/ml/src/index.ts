// Public API of @kairos/ml. Each area keeps its own barrel; tfjs is only imported under src/adapters.
export * from './anomaly.index';
export * from './models.index';
export * from './registry.index';
export * from './diagnosis.index';
export * from './serving.index';
export * from './explain.index';
export * from './semantic.index';

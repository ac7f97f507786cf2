export * from './neural-features';
export * from './neural-weights';
export * from './neural-network';
export * from './neural.policy';
export * from './policy-weights.factory';
export * from './policy-trajectory';
export * from './policy-gradient.trainer';
export * from './linear-rule-tuning';

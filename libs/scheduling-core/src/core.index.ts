// Non-DAG half of @kairos/scheduling-core: model, ordering policies, placement, LP allocation,
// simulator and trace adapters.
export * from './model/index';
export * from './policies/index';
export * from './placement/index';
export * from './allocation/index';
export * from './retry/index';
export * from './sim/index';
export * from './traces/index';

export * from './resources';
export * from './errors';
export * from './clock';
export * from './task.model';
export * from './node.model';
export * from './cluster-state';
export * from './decision.model';
export * from './task.factory';

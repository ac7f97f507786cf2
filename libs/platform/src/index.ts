export * from './config';
export * from './logger';
export * from './domain-error';
export * from './group-batcher';
export * from './clock';

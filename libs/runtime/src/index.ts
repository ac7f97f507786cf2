export * from './runtime';
export * from './http';
export * from './http-error.filter';
export * from './health.module';

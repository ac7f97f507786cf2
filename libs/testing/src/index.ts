export * from './mock-kafka';
export * from './service-process';
export * from './fakes';
export * from './test-auth';

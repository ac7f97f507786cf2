export * from './event-heap';
export * from './metrics';
export * from './simulator';

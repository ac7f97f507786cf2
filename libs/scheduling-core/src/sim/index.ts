export * from './duration-noise';
export * from './event-heap';
export * from './metrics';
export * from './offered-load';
export * from './simulator';
export * from './trace-window';
export * from './tenant-shares';

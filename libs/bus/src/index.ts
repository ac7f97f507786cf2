export * from './event-bus.port';
export * from './dispatch';
export * from './in-process.bus';
export * from './kafka.bus';
export * from './kafka.bus';

export * from './placement-strategy';
export * from './round-robin.placement';
export * from './least-loaded.placement';
export * from './consistent-hash.placement';
export * from './packing.placement';
export * from './placement.registry';
export * from './explain-placement';

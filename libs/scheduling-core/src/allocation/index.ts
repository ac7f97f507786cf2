export * from './lp-allocation';

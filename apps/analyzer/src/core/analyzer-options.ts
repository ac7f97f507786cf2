import type { BackendChoice } from '@kairos/ml';

/** Optional settings of the analyzer module (tests provide them; production uses the defaults). */
export const ANALYZER_OPTIONS = Symbol('ANALYZER_OPTIONS');
/** Promise<BackendChoice | null>: the tfjs backend that loaded (null when none did). */
export const TF_BACKEND = Symbol('TF_BACKEND');

export interface AnalyzerOptions {
  /** tfjs backend choice; injectable so tests need not load TensorFlow.js. */
  readonly tfBackend?: () => Promise<BackendChoice>;
  /** Periodic drift and diagnosis rounds (on by default; tests drive them by hand). */
  readonly timers?: boolean;
}

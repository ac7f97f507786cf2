/**
 * A streaming (online) anomaly detector: `score` is called once per row, in time order, and returns
 * an anomaly score in [0, 1] computed from that row and the rows before it only.
 */
export interface StreamingDetector {
  readonly name: string;
  score(timestamp: number, value: number): number;
}

export type { RandomSource } from '../common/random';

/**
 * What NAB's harness (nab/detectors/base.py) tells every detector about a data file before streaming
 * it: the minimum and maximum of the file's values and its probationary period
 * (floor(0.15 × rows)). Min and max are computed from the whole file, so a detector that uses them
 * knows the future value range; NAB does this for all detectors, and CAD OSE relies on it.
 */
export interface StreamInfo {
  readonly inputMin?: number;
  readonly inputMax?: number;
  readonly probationaryPeriod?: number;
}

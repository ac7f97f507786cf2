/**
 * A streaming (online) anomaly detector: `score` is called once per row, in time order, and returns
 * an anomaly score in [0, 1] computed from that row and the rows before it only.
 */
export interface StreamingDetector {
  readonly name: string;
  score(timestamp: number, value: number): number;
}

export type { RandomSource } from '../common/random';

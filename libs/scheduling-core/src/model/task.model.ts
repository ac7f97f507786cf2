import { SchedulingError } from './errors';
import { RESOURCE_KEYS, type Resources } from './resources';

/**
 * What is known about a task's duration, per source. Policies declare which source they read
 * (see `DurationInformation`) so benchmarks can say honestly what each policy was allowed to see.
 */
export interface DurationInfo {
  /** What the submitter asked for (a wall-time limit); absent in traces that have none. */
  readonly requested?: number;
  /** The analyzer's prediction and its standard deviation (uncertainty). */
  readonly predicted?: number;
  readonly predictedStd?: number;
  /** The true duration: only the simulator (and the oracle policy) may read it. */
  readonly actual?: number;
}

export interface Task {
  readonly id: string;
  readonly jobId: string;
  readonly tenant: string;
  /** Larger is more important. */
  readonly priority: number;
  /** Per instance. */
  readonly request: Resources;
  readonly duration: DurationInfo;
  readonly arrival: number;
  readonly deadline?: number;
  /** Parallel copies; each is a separately schedulable unit unless `gang` (all start together). */
  readonly instances: number;
  readonly gang: boolean;
  /** Sticky key for consistent-hash placement (defaults to jobId). */
  readonly affinityKey?: string;
}

export type DurationInformation = 'none' | 'requested' | 'predicted' | 'actual';

export function validateTask(t: Task): Task {
  const bad = (why: string): never => {
    throw new SchedulingError('INVALID_TASK', `task ${t.id}: ${why}`);
  };
  if (!t.id) bad('empty id');
  if (!Number.isInteger(t.instances) || t.instances < 1) bad(`instances must be a positive integer, got ${t.instances}`);
  if (!Number.isFinite(t.arrival)) bad('arrival must be finite');
  for (const k of RESOURCE_KEYS) {
    const v = t.request[k];
    if (!Number.isFinite(v) || v < 0) bad(`request.${k} must be a non-negative number, got ${v}`);
  }
  return t;
}

/** Duration estimate a policy may use given the information it declares. */
export function durationEstimate(t: Task, info: DurationInformation, fallback = 60): number {
  switch (info) {
    case 'actual':
      return t.duration.actual ?? t.duration.predicted ?? t.duration.requested ?? fallback;
    case 'predicted':
      return t.duration.predicted ?? t.duration.requested ?? fallback;
    case 'requested':
      return t.duration.requested ?? fallback;
    case 'none':
      return fallback;
  }
}

import { SchedulingError } from './errors';
import { RESOURCE_KEYS, type Resources } from './resources';

export interface NodeSpec {
  readonly id: string;
  readonly capacity: Resources;
  readonly labels?: Readonly<Record<string, string>>;
  /** Relative weight for weighted round robin (defaults to 1). */
  readonly weight?: number;
}

/** Live view of one node: what it has and what is allocated on it right now. */
export interface NodeState {
  readonly id: string;
  readonly index: number;
  readonly capacity: Resources;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight: number;
  /** Free = capacity − allocated, maintained incrementally. */
  readonly free: Resources;
  readonly allocated: Resources;
  readonly running: number;
  readonly up: boolean;
}

export function validateNode(n: NodeSpec): NodeSpec {
  for (const k of RESOURCE_KEYS) {
    if (!Number.isFinite(n.capacity[k]) || n.capacity[k] < 0) {
      throw new SchedulingError('INVALID_NODE', `node ${n.id}: capacity.${k} must be a non-negative number`);
    }
  }
  if (n.weight !== undefined && !(n.weight > 0)) {
    throw new SchedulingError('INVALID_NODE', `node ${n.id}: weight must be positive`);
  }
  return n;
}

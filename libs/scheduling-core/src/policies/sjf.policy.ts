import type { QueueEntry } from '../model/decision.model';
import { durationEstimate, type DurationInformation } from '../model/task.model';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

export interface SjfOptions extends RankedPolicyOptions {
  /** 'requested' (falls back to a default), 'predicted' (falls back to requested) or 'actual' (oracle). */
  readonly information: Exclude<DurationInformation, 'none'>;
  readonly name?: string;
}

/** Shortest job first on the chosen duration source; starts the shortest task that fits. */
export class SjfPolicy extends RankedPolicy {
  readonly name: string;
  readonly information: Exclude<DurationInformation, 'none'>;
  protected readonly mode = 'greedy' as const;
  constructor(opts: SjfOptions) {
    super(opts);
    this.information = opts.information;
    this.name = opts.name ?? `sjf-${opts.information}`;
  }
  protected key(e: QueueEntry): number {
    // Arrival as a tiny tie-break keeps equal estimates FIFO.
    return durationEstimate(e.task, this.information) + e.task.arrival * 1e-9;
  }
}

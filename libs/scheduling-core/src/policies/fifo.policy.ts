import type { QueueEntry } from '../model/decision.model';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

/** FCFS / strict FIFO: arrival order, and nothing overtakes a head that does not fit. */
export class FifoPolicy extends RankedPolicy {
  readonly name: string = 'fifo';
  readonly information = 'none' as const;
  protected readonly mode = 'strict' as const;
  protected key(e: QueueEntry): number {
    return e.task.arrival;
  }
}

/** FCFS alias used by the seed documents. */
export class FcfsPolicy extends FifoPolicy {
  override readonly name = 'fcfs';
  constructor(opts: RankedPolicyOptions) {
    super(opts);
  }
}

import type { QueueEntry } from '../model/decision.model';
import type { Resources } from '../model/resources';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

/** Static priority (higher first), FIFO within a priority. */
export class StaticPriorityPolicy extends RankedPolicy {
  readonly name = 'priority';
  readonly information = 'none' as const;
  protected readonly mode = 'greedy' as const;
  protected key(e: QueueEntry): number {
    return -e.task.priority * 1e10 + e.task.arrival;
  }
}

export interface DynamicPriorityOptions extends RankedPolicyOptions {
  /** Capacity of one node: resource penalties are shares of it. */
  readonly nodeCapacity: Resources;
  /** Waiting time that earns `agingWeight` priority points (seed 001: MaxWaitThreshold). */
  readonly maxWait?: number;
  readonly agingWeight?: number;
  readonly penaltyWeight?: number;
}

/**
 * Seed 001's dynamic priority: base + 5·wait/maxWait − 2·(0.3·cpuShare + 0.2·memShare).
 * wait = now − arrival, and `now` shifts every task equally, so ranking by
 * −(base − 5·arrival/maxWait − penalty) is exact without re-sorting as time passes.
 */
export class DynamicPriorityPolicy extends RankedPolicy {
  readonly name = 'dynamic';
  readonly information = 'none' as const;
  protected readonly mode = 'greedy' as const;
  private readonly cap: Resources;
  private readonly maxWait: number;
  private readonly aging: number;
  private readonly penalty: number;
  constructor(opts: DynamicPriorityOptions) {
    super(opts);
    this.cap = opts.nodeCapacity;
    this.maxWait = opts.maxWait ?? 300;
    this.aging = opts.agingWeight ?? 5;
    this.penalty = opts.penaltyWeight ?? 2;
  }
  /** The seed's priority value at time `now` (exposed for tests and the dashboard). */
  priorityAt(e: QueueEntry, now: number): number {
    return e.task.priority + this.aging * ((now - e.task.arrival) / this.maxWait) - this.penalty * this.hunger(e);
  }
  protected key(e: QueueEntry): number {
    return -(e.task.priority - (this.aging * e.task.arrival) / this.maxWait - this.penalty * this.hunger(e));
  }
  private hunger(e: QueueEntry): number {
    const r = e.task.request;
    const cpu = this.cap.cpuMillis > 0 ? r.cpuMillis / this.cap.cpuMillis : 0;
    const mem = this.cap.memMb > 0 ? r.memMb / this.cap.memMb : 0;
    return 0.3 * cpu + 0.2 * mem;
  }
}

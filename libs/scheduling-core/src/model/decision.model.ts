import type { Task } from './task.model';

/** One queue entry: a task and how many of its instances still wait to start. */
export interface QueueEntry {
  readonly task: Task;
  /** Instances not yet started (retried instances come back here). */
  pending: number;
  /** Instances started so far (for MLFQ-style attained service and the learned policy). */
  started: number;
  /** When this entry (re-)entered the queue. */
  readonly enqueuedAt: number;
}

/** Start `nodeIndexes.length` instances of `taskId` (a gang starts all of them at once). */
export interface DispatchDecision {
  readonly kind: 'dispatch';
  readonly taskId: string;
  readonly nodeIndexes: readonly number[];
}

export interface IdleDecision {
  readonly kind: 'idle';
  readonly reason: 'empty' | 'nothing-fits' | 'head-blocked';
}

export type Decision = DispatchDecision | IdleDecision;

export const IDLE_EMPTY: IdleDecision = Object.freeze({ kind: 'idle', reason: 'empty' });
export const IDLE_NOTHING_FITS: IdleDecision = Object.freeze({ kind: 'idle', reason: 'nothing-fits' });
export const IDLE_HEAD_BLOCKED: IdleDecision = Object.freeze({ kind: 'idle', reason: 'head-blocked' });

import type { Schedule } from '@kairos/contracts';
import { admitTick, type BreakerState } from './circuit-breaker.state';
import { decideConcurrency, type ActiveRun } from './concurrency.policy';
import type { PlannedTick, TickSkipReason } from './tick.model';

export type TickDecision =
  | { readonly kind: 'fire'; readonly trial: boolean }
  | { readonly kind: 'replace'; readonly cancel: readonly ActiveRun[]; readonly trial: boolean }
  | { readonly kind: 'skip'; readonly reason: TickSkipReason; readonly detail: string };

export interface TickDecisionInput {
  readonly schedule: Pick<Schedule, 'paused' | 'concurrency' | 'circuitBreaker'>;
  readonly tick: Pick<PlannedTick, 'key'>;
  readonly breaker: BreakerState;
  readonly active: readonly ActiveRun[];
  readonly nowMs: number;
}

/**
 * What happens to a due tick at firing time, from what the firing replica holds in memory: paused →
 * skip; breaker not admitting → skip ("circuit_open", nothing cancelled); then the concurrency rule.
 * `breaker` is the state to keep: it only moves (open → half-open trial) when the tick fires.
 */
export function decideTick(input: TickDecisionInput): { decision: TickDecision; breaker: BreakerState } {
  const { schedule, tick, breaker, active, nowMs } = input;
  if (schedule.paused) return { decision: { kind: 'skip', reason: 'paused', detail: 'schedule paused' }, breaker };
  const admission = admitTick(breaker, schedule.circuitBreaker, tick.key, nowMs);
  if (!admission.admitted) return { decision: { kind: 'skip', reason: 'circuit_open', detail: admission.detail }, breaker };
  const c = decideConcurrency(schedule.concurrency, active);
  switch (c.kind) {
    case 'skip':
      return { decision: { kind: 'skip', reason: 'previous_run_active', detail: c.detail }, breaker };
    case 'fire':
      return { decision: { kind: 'fire', trial: admission.trial }, breaker: admission.next };
    case 'replace':
      return { decision: { kind: 'replace', cancel: c.cancel, trial: admission.trial }, breaker: admission.next };
    default: {
      const never: never = c;
      return never;
    }
  }
}

import type { ConcurrencyRule } from '@kairos/contracts';

/** An earlier tick of the same schedule whose run (some shard) has not ended. */
export interface ActiveRun {
  readonly tickKey: string;
  readonly scheduledAtMs: number;
  /** Unique keys (shardTickKey, the tasks' idempotency keys) of its shards not yet ended. */
  readonly shardKeys: readonly string[];
}

export type ConcurrencyDecision =
  | { readonly kind: 'fire' }
  | { readonly kind: 'skip'; readonly detail: string }
  | { readonly kind: 'replace'; readonly cancel: readonly ActiveRun[] };

/**
 * The concurrency rule applied to a new tick (Kubernetes CronJob's concurrencyPolicy): `allow`
 * always fires; `forbid` skips the tick while an earlier run is active; `replace` cancels the active
 * runs, then fires.
 */
export function decideConcurrency(rule: ConcurrencyRule, active: readonly ActiveRun[]): ConcurrencyDecision {
  if (active.length === 0 || rule === 'allow') return { kind: 'fire' };
  switch (rule) {
    case 'forbid':
      return { kind: 'skip', detail: `previous run still active (tick ${(active[active.length - 1] as ActiveRun).tickKey})` };
    case 'replace':
      return { kind: 'replace', cancel: active };
    default: {
      const never: never = rule;
      return never;
    }
  }
}

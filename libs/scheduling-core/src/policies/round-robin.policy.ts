import type { DispatchDecision, QueueEntry } from '../model/decision.model';
import { RankedPolicy } from './ordering-policy';

/**
 * Round robin across tenants: each queued task holds a virtual round; a tenant's next instance
 * gets the round after its previous one (never earlier than the current round), so tenants take
 * turns one instance at a time regardless of how much each has queued.
 */
export class TenantRoundRobinPolicy extends RankedPolicy {
  readonly name = 'rr';
  readonly information = 'none' as const;
  protected readonly mode = 'greedy' as const;
  private readonly nextRound = new Map<string, number>();
  private currentRound = 0;

  protected key(e: QueueEntry): number {
    const round = this.claimRound(e.task.tenant);
    return round * 1e10 + e.task.arrival;
  }

  protected override onCommit(e: QueueEntry, d: DispatchDecision): void {
    void d;
    const k = this.index.keyOf(e.task.id);
    if (k !== undefined) this.currentRound = Math.max(this.currentRound, Math.floor(k / 1e10));
    if (e.pending > 0) this.index.rekey(e.task.id, this.claimRound(e.task.tenant) * 1e10 + e.task.arrival);
  }

  private claimRound(tenant: string): number {
    const r = Math.max(this.nextRound.get(tenant) ?? 0, this.currentRound);
    this.nextRound.set(tenant, r + 1);
    return r;
  }
}

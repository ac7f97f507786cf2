import type { RepairRequested } from '@kairos/contracts';
import type { Database, SqlExecutor } from '@kairos/persistence';

export type RepairStatus = 'applied' | 'dry_run' | 'rejected' | 'forwarded';

/**
 * Applies one repair decision and writes its audit record in the same transaction. Idempotent by
 * actionId: a redelivered request is not applied twice. Node cordons and queue throttles live in
 * PostgreSQL, so every executor replica (and a restarted one) sees them.
 */
export class RepairApplier {
  constructor(
    private readonly db: Database,
    private readonly executorId: string,
    private readonly defaultPolicy: { policy: string; placement: string },
  ) {}

  async apply(req: RepairRequested): Promise<{ status: RepairStatus; detail: string } | null> {
    return this.db.transaction(async (tx) => {
      const seen = await tx.query(`SELECT 1 FROM repair_actions WHERE action_id = $1`, [req.actionId]);
      if (seen.length) return null;
      const outcome = req.dryRun ? await this.describe(tx, req) : await this.perform(tx, req);
      await tx.query(
        `INSERT INTO repair_actions (action_id, kind, action, reason, confidence, dry_run, requested_by, status, detail, applied_by)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10)`,
        [req.actionId, req.action.kind, JSON.stringify(req.action), req.reason, req.confidence, req.dryRun, req.requestedBy, outcome.status, outcome.detail, this.executorId],
      );
      return outcome;
    });
  }

  private async describe(tx: SqlExecutor, req: RepairRequested): Promise<{ status: RepairStatus; detail: string }> {
    const check = await this.precondition(tx, req);
    return check ?? { status: 'dry_run', detail: `would apply ${req.action.kind}: ${JSON.stringify(req.action)}` };
  }

  private async precondition(tx: SqlExecutor, req: RepairRequested): Promise<{ status: RepairStatus; detail: string } | null> {
    const a = req.action;
    if (a.kind === 'cordon_node' || a.kind === 'uncordon_node' || a.kind === 'drain_node' || a.kind === 'restart_runner') {
      const node = await tx.query(`SELECT id FROM nodes WHERE id = $1`, [a.nodeId]);
      if (!node.length) return { status: 'rejected', detail: `unknown node ${a.nodeId}` };
    }
    return null;
  }

  private async perform(tx: SqlExecutor, req: RepairRequested): Promise<{ status: RepairStatus; detail: string }> {
    const rejected = await this.precondition(tx, req);
    if (rejected) return rejected;
    const a = req.action;
    switch (a.kind) {
      case 'cordon_node':
      case 'drain_node':
        await tx.query(`UPDATE nodes SET cordoned = true WHERE id = $1`, [a.nodeId]);
        return { status: 'applied', detail: a.kind === 'drain_node' ? `node ${a.nodeId} cordoned; running attempts finish, no new work` : `node ${a.nodeId} cordoned` };
      case 'uncordon_node':
        await tx.query(`UPDATE nodes SET cordoned = false WHERE id = $1`, [a.nodeId]);
        return { status: 'applied', detail: `node ${a.nodeId} accepts work again` };
      case 'restart_runner':
        await tx.query(`UPDATE nodes SET restart_requested_at = now() WHERE id = $1`, [a.nodeId]);
        return { status: 'applied', detail: `node ${a.nodeId}: its executor restarts the attempts running there (requeued, not charged to their retry budget)` };
      case 'throttle_queue':
        await tx.query(
          `INSERT INTO queue_policies (queue, policy, placement, max_concurrent) VALUES ($1, $2, $3, $4)
           ON CONFLICT (queue) DO UPDATE SET max_concurrent = $4, updated_at = now()`,
          [a.queue, this.defaultPolicy.policy, this.defaultPolicy.placement, a.maxConcurrent],
        );
        return { status: 'applied', detail: a.maxConcurrent === null ? `queue ${a.queue} unthrottled` : `queue ${a.queue} limited to ${a.maxConcurrent} running tasks` };
      case 'scale_request':
        return { status: 'forwarded', detail: `scale ${a.service} by ${a.delta}: recorded for an external autoscaler (Kairos starts no machines itself)` };
      default: {
        const unreachable: never = a;
        return { status: 'rejected', detail: `unknown action ${JSON.stringify(unreachable)}` };
      }
    }
  }
}

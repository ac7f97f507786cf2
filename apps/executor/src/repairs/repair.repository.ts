import { Inject, Injectable } from '@nestjs/common';
import type { RepairRequested } from '@kairos/contracts';
import { DATABASE, type Database, type SqlExecutor } from '@kairos/persistence';

export const REPAIR_REPOSITORY = Symbol('REPAIR_REPOSITORY');

export type RepairStatus = 'applied' | 'dry_run' | 'rejected' | 'forwarded';
export interface RepairOutcome {
  status: RepairStatus;
  detail: string;
}

/** The writes a repair makes, inside the unit of work that also writes its audit row. */
export interface RepairWrites {
  nodeExists(nodeId: string): Promise<boolean>;
  setCordoned(nodeId: string, cordoned: boolean): Promise<void>;
  requestNodeRestart(nodeId: string): Promise<void>;
  /** Sets a queue's max_concurrent (null = unthrottled); a queue without a policy row gets the default policy. */
  throttleQueue(queue: string, maxConcurrent: number | null, defaultPolicy: { policy: string; placement: string }): Promise<void>;
}

/** repair_actions (the audit), node cordons and restarts, queue throttles: all executor-owned. */
export interface RepairRepository {
  /**
   * Runs `decide` in one transaction with the writes it needs and records its outcome in the audit;
   * null when this actionId was already applied (a redelivery).
   */
  applyOnce(req: RepairRequested, appliedBy: string, decide: (w: RepairWrites) => Promise<RepairOutcome>): Promise<RepairOutcome | null>;
}

@Injectable()
export class PgRepairRepository implements RepairRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  applyOnce(req: RepairRequested, appliedBy: string, decide: (w: RepairWrites) => Promise<RepairOutcome>): Promise<RepairOutcome | null> {
    return this.db.transaction(async (tx) => {
      const seen = await tx.query(`SELECT 1 FROM repair_actions WHERE action_id = $1`, [req.actionId]);
      if (seen.length) return null;
      const outcome = await decide(writes(tx));
      await tx.query(
        `INSERT INTO repair_actions (action_id, kind, action, reason, confidence, dry_run, requested_by, status, detail, applied_by)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10)`,
        [req.actionId, req.action.kind, JSON.stringify(req.action), req.reason, req.confidence, req.dryRun, req.requestedBy, outcome.status, outcome.detail, appliedBy],
      );
      return outcome;
    });
  }
}

function writes(tx: SqlExecutor): RepairWrites {
  return {
    async nodeExists(nodeId) {
      return (await tx.query(`SELECT id FROM nodes WHERE id = $1`, [nodeId])).length > 0;
    },
    async setCordoned(nodeId, cordoned) {
      await tx.query(`UPDATE nodes SET cordoned = $2 WHERE id = $1`, [nodeId, cordoned]);
    },
    async requestNodeRestart(nodeId) {
      await tx.query(`UPDATE nodes SET restart_requested_at = now() WHERE id = $1`, [nodeId]);
    },
    async throttleQueue(queue, maxConcurrent, defaultPolicy) {
      await tx.query(
        `INSERT INTO queue_policies (queue, policy, placement, max_concurrent) VALUES ($1, $2, $3, $4)
         ON CONFLICT (queue) DO UPDATE SET max_concurrent = $4, updated_at = now()`,
        [queue, defaultPolicy.policy, defaultPolicy.placement, maxConcurrent],
      );
    },
  };
}

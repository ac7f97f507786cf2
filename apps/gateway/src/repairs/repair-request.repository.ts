import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';

export const REPAIR_REQUEST_REPOSITORY = Symbol('GATEWAY_REPAIR_REQUEST_REPOSITORY');

/** Repair requests leave through the gateway's outbox; the audit (repair_actions, written by the executor) is read here. */
export interface RepairRequestRepository {
  appendRequest(event: Envelope<'repair.requested.v1'>): Promise<void>;
  audit(limit: number): Promise<unknown[]>;
}

@Injectable()
export class PgRepairRequestRepository implements RepairRequestRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async appendRequest(event: Envelope<'repair.requested.v1'>): Promise<void> {
    await this.db.transaction((tx) => appendToOutbox(tx, 'gateway', [event]));
  }

  audit(limit: number): Promise<unknown[]> {
    return this.db.query(
      `SELECT action_id AS "actionId", kind, action, reason, confidence, dry_run AS "dryRun", requested_by AS "requestedBy",
              status, detail, applied_by AS "appliedBy", applied_at AS "appliedAt" FROM repair_actions ORDER BY applied_at DESC LIMIT $1`,
      [limit],
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const REPAIR_REQUEST_REPOSITORY = Symbol('GATEWAY_REPAIR_REQUEST_REPOSITORY');

/** Repair requests leave through the gateway's outbox; the audit (repair_actions, written by the executor) is read here. */
export interface RepairRequestRepository {
  appendRequest(event: Envelope<'repair.requested.v1'>): Promise<void>;
  /** Newest first, `limit` after `after`. */
  audit(limit: number, after?: Keyset): Promise<Array<Record<string, unknown> & { actionId: string; cursor_t: string }>>;
}

@Injectable()
export class PgRepairRequestRepository implements RepairRequestRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async appendRequest(event: Envelope<'repair.requested.v1'>): Promise<void> {
    await this.db.transaction((tx) => appendToOutbox(tx, 'gateway', [event]));
  }

  audit(limit: number, after?: Keyset): Promise<Array<Record<string, unknown> & { actionId: string; cursor_t: string }>> {
    return this.db.query(
      `SELECT action_id AS "actionId", kind, action, reason, confidence, dry_run AS "dryRun", requested_by AS "requestedBy",
              status, detail, applied_by AS "appliedBy", applied_at AS "appliedAt", ${cursorTime('applied_at')} AS cursor_t
         FROM repair_actions
        WHERE ($1::timestamptz IS NULL OR (applied_at, action_id::text) < ($1::timestamptz, $2::text))
        ORDER BY applied_at DESC, action_id::text DESC LIMIT $3`,
      [after?.t ?? null, after?.id ?? null, limit],
    );
  }
}

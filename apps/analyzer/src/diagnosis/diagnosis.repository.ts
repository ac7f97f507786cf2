import { Inject, Injectable } from '@nestjs/common';
import type { DecisionRecord, Envelope } from '@kairos/contracts';
import { appendToOutbox, DATABASE, insertDecisionRecords, type Database } from '@kairos/persistence';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const DIAGNOSIS_REPOSITORY = Symbol('DIAGNOSIS_REPOSITORY');

export interface NodeSampleRow {
  node_id: string;
  sampled_at: Date | string;
  cpu_percent: number;
  mem_mb: number;
  /** The node agent's network utilisation; null for samples without one (older executors, no capacity known). */
  net_percent?: number | null;
  capacity_mb: number | null;
}

export interface DiagnosisRecord {
  id: string;
  ruleId: string;
  target: unknown;
  targetKey: string;
  confidence: number;
  explanation: string;
  evidence: unknown;
  action: unknown;
  outcome: 'sent' | 'dry-run' | 'suppressed';
  reason: string;
  actionId: string | null;
  decidedBy: string;
  decidedAt: string;
  /** The repair.requested.v1 event of a sent decision, written in the same transaction. */
  event: Envelope<'repair.requested.v1'> | null;
}

/** diagnosis_rules, diagnoses (the decision audit) and the node samples the rules read (collector's metric_samples, nodes). */
export interface DiagnosisRepository {
  rules(): Promise<unknown[]>;
  rule(id: string): Promise<unknown | undefined>;
  /** false when the id exists. */
  insertRule(id: string, rule: unknown): Promise<boolean>;
  /** false when there is no such rule. */
  updateRule(id: string, rule: unknown): Promise<boolean>;
  deleteRule(id: string): Promise<boolean>;
  nodeSamples(fromIso: string, toIso: string): Promise<NodeSampleRow[]>;
  /** Latest sent or dry-run decision per rule and target since `sinceIso` (for the cooldown). */
  recentDecisions(sinceIso: string): Promise<Array<{ rule_id: string; target_key: string; at: Date | string }>>;
  recordDecisions(decisions: DiagnosisRecord[]): Promise<void>;
  /**
   * 'diagnosis' DecisionRecords into scheduling_decisions (the executor's table, which the gateway serves), one
   * multi-row insert; false when that table does not exist in this database (an analyzer without executors).
   */
  insertDecisionRecords(records: readonly DecisionRecord[]): Promise<boolean>;
  /** Newest first, `limit` after `after`. */
  audit(limit: number, after?: Keyset): Promise<Array<Record<string, unknown> & { id: string; cursor_t: string }>>;
}

@Injectable()
export class PgDiagnosisRepository implements DiagnosisRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async rules(): Promise<unknown[]> {
    return (await this.db.query<{ rule: unknown }>(`SELECT rule FROM diagnosis_rules ORDER BY id`)).map((r) => r.rule);
  }

  async rule(id: string): Promise<unknown | undefined> {
    return (await this.db.query<{ rule: unknown }>(`SELECT rule FROM diagnosis_rules WHERE id = $1`, [id]))[0]?.rule;
  }

  async insertRule(id: string, rule: unknown): Promise<boolean> {
    return (await this.db.query(`INSERT INTO diagnosis_rules (id, rule) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`, [id, JSON.stringify(rule)])).length > 0;
  }

  async updateRule(id: string, rule: unknown): Promise<boolean> {
    return (await this.db.query(`UPDATE diagnosis_rules SET rule = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING id`, [id, JSON.stringify(rule)])).length > 0;
  }

  async deleteRule(id: string): Promise<boolean> {
    return (await this.db.query(`DELETE FROM diagnosis_rules WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  /** net_percent is read through to_jsonb so this works before the collector's migration adding it ran (distributed start order). */
  nodeSamples(fromIso: string, toIso: string): Promise<NodeSampleRow[]> {
    return this.db.query<NodeSampleRow>(
      `SELECT m.node_id, m.sampled_at, m.cpu_percent, m.mem_mb, (to_jsonb(m) ->> 'net_percent')::float8 AS net_percent, n.mem_mb AS capacity_mb
         FROM metric_samples m LEFT JOIN nodes n ON n.id = m.node_id
        WHERE m.source = 'node' AND m.sampled_at > $1 AND m.sampled_at <= $2 ORDER BY m.sampled_at`,
      [fromIso, toIso],
    );
  }

  recentDecisions(sinceIso: string) {
    return this.db.query<{ rule_id: string; target_key: string; at: Date | string }>(
      `SELECT rule_id, target_key, max(decided_at) AS at FROM diagnoses WHERE outcome IN ('sent', 'dry-run') AND decided_at > $1 GROUP BY 1, 2`,
      [sinceIso],
    );
  }

  private decisionsTable: Promise<boolean> | null = null;

  async insertDecisionRecords(records: readonly DecisionRecord[]): Promise<boolean> {
    this.decisionsTable ??= this.db.query<{ ok: boolean }>(`SELECT to_regclass('scheduling_decisions') IS NOT NULL AS ok`).then((r) => r[0]?.ok === true);
    const exists = await this.decisionsTable;
    // Looked up again next time while it is missing (the executor's migrations may run after this analyzer started).
    if (!exists) this.decisionsTable = null;
    if (!exists || !records.length) return exists;
    await insertDecisionRecords(this.db, records);
    return true;
  }

  async recordDecisions(decisions: DiagnosisRecord[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const d of decisions) {
        await tx.query(
          `INSERT INTO diagnoses (id, rule_id, target, target_key, confidence, explanation, evidence, action, outcome, reason, action_id, decided_by, decided_at)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13)`,
          [d.id, d.ruleId, JSON.stringify(d.target), d.targetKey, d.confidence, d.explanation, JSON.stringify(d.evidence), JSON.stringify(d.action), d.outcome, d.reason, d.actionId, d.decidedBy, d.decidedAt],
        );
        if (d.event) await appendToOutbox(tx, 'analyzer', [d.event]);
      }
    });
  }

  audit(limit: number, after?: Keyset): Promise<Array<Record<string, unknown> & { id: string; cursor_t: string }>> {
    return this.db.query(
      `SELECT id, rule_id AS "ruleId", target, confidence, explanation, evidence, action, outcome, reason, action_id AS "actionId", decided_by AS "decidedBy", decided_at AS "decidedAt",
              ${cursorTime('decided_at')} AS cursor_t
         FROM diagnoses
        WHERE ($1::timestamptz IS NULL OR (decided_at, id) < ($1::timestamptz, $2::uuid))
        ORDER BY decided_at DESC, id DESC LIMIT $3`,
      [after?.t ?? null, after?.id ?? null, limit],
    );
  }
}

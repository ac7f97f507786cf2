import { Inject, Injectable } from '@nestjs/common';
import { makeEnvelope, type Envelope } from '@kairos/contracts';
import type { DriftReport } from '@kairos/ml';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';

export const DURATION_REPOSITORY = Symbol('DURATION_REPOSITORY');
const BASELINE_HISTORY = 20;

export interface FinishedTask {
  taskId: string;
  attempt: number;
  status: string;
  durationMs: number;
  finishedAt: string;
  fallbackSignature: string;
}

/** The estimate stored for a task when it was queued. */
export interface EstimateRow {
  model: string;
  model_version: string;
  p50_ms: number;
  p90_ms: number;
}

export interface DurationEstimate {
  p50Ms: number;
  p90Ms: number;
  model: string;
  modelVersion: string;
  basedOn: number;
}

export interface StoredEstimate {
  taskId: string;
  signature: string;
  estimate: DurationEstimate | null;
  traceId: string;
  /** The feature row a model estimate was made from (NaN = missing input); absent for moving-average estimates. */
  features?: ArrayLike<number>;
}

/** A stored estimate with the feature row it was made from (null when none was kept). */
export interface EstimateWithFeatures {
  model: string;
  modelVersion: string;
  p50Ms: number;
  p90Ms: number;
  features: number[] | null;
}

export interface DriftReportRecord {
  reportId: string;
  name: string;
  version: number;
  report: DriftReport;
  autoRetrain: boolean;
  assessedBy: string;
}

/**
 * The analyzer's duration tables: duration_history, duration_estimates (+ their events),
 * prediction_outcomes and model_drift_reports. The per-task statements are group-committed: concurrent
 * calls share one statement (the throughput hot path of the analyzer).
 */
export interface DurationRepository {
  /** The latest succeeded durations (newest first, at most 20) of a signature. */
  recentDurations(signature: string): Promise<number[]>;
  /** Records a finished task's history row and, when it succeeded, its prediction outcome; returns its estimate if one was stored. */
  recordFinished(f: FinishedTask): Promise<EstimateRow | null>;
  /** Stores the estimate made for a queued task and its event (a redelivery stores neither). */
  storeEstimate(e: StoredEstimate): Promise<void>;
  estimateOf(taskId: string): Promise<Record<string, unknown> | undefined>;
  /** Whether the task is `tenant`'s (tasks.tenant, the shared database): a non-admin key sees only its tenant's estimates. */
  taskOfTenant(taskId: string, tenant: string): Promise<boolean>;
  /** The estimate's model, version and feature row, for explaining it. */
  estimateFeatures(taskId: string): Promise<EstimateWithFeatures | undefined>;
  outcomes(model: string, limit: number): Promise<Array<{ model_version: string; p50_ms: number; p90_ms: number; actual_ms: number }>>;
  outcomesOfVersion(model: string, version: string, limit: number): Promise<Array<{ p50_ms: number; actual_ms: number }>>;
  /** Records a drift report and, when its decision is not `none`, its model.drift.detected.v1 event. */
  recordDriftReport(r: DriftReportRecord): Promise<void>;
  driftReports(name: string): Promise<unknown[]>;
}

@Injectable()
export class PgDurationRepository implements DurationRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  recentDurations(signature: string): Promise<number[]> {
    return this.histories.add(signature);
  }

  /** The latest succeeded durations per signature; concurrent lookups share one query. */
  private readonly histories = new GroupBatcher<string, number[]>(async (signatures) => {
    const distinct = [...new Set(signatures)];
    const rows = await this.db.query<{ signature: string; durations: number[] }>(
      `SELECT s.signature, ARRAY(SELECT h.duration_ms::float8 FROM duration_history h WHERE h.signature = s.signature AND h.status = 'succeeded'
                                 ORDER BY h.finished_at DESC LIMIT ${BASELINE_HISTORY}) AS durations
       FROM unnest($1::text[]) AS s(signature)`,
      [distinct],
    );
    const bySignature = new Map(rows.map((r) => [r.signature, r.durations.map(Number)]));
    return signatures.map((sig) => bySignature.get(sig) ?? []);
  });

  recordFinished(f: FinishedTask): Promise<EstimateRow | null> {
    return this.finished.add(f);
  }

  /** History row (under the signature its estimate was made with, else the fallback) and outcome, one statement per batch. */
  private readonly finished = new GroupBatcher<FinishedTask, EstimateRow | null>(async (batch) => {
    const rows = await this.db.query<EstimateRow & { task_id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, attempt int, fallback text, status text, duration_ms float8, finished_at timestamptz)
       ), est AS (
         SELECT e.task_id, e.signature, e.model, e.model_version, e.p50_ms, e.p90_ms FROM duration_estimates e JOIN input i ON i.task_id = e.task_id
       ), h AS (
         INSERT INTO duration_history (task_id, attempt, signature, status, duration_ms, finished_at)
         SELECT i.task_id, i.attempt, COALESCE(est.signature, i.fallback), i.status, i.duration_ms, i.finished_at
         FROM input i LEFT JOIN est ON est.task_id = i.task_id
         ON CONFLICT (task_id, attempt) DO NOTHING
       ), o AS (
         INSERT INTO prediction_outcomes (task_id, model, model_version, p50_ms, p90_ms, actual_ms, observed_at)
         SELECT i.task_id, est.model, est.model_version, est.p50_ms, est.p90_ms, i.duration_ms, i.finished_at
         FROM input i JOIN est ON est.task_id = i.task_id WHERE i.status = 'succeeded'
         ON CONFLICT (task_id) DO NOTHING
       )
       SELECT task_id, model, model_version, p50_ms, p90_ms FROM est`,
      [JSON.stringify(batch.map((f) => ({ task_id: f.taskId, attempt: f.attempt, fallback: f.fallbackSignature, status: f.status, duration_ms: f.durationMs, finished_at: f.finishedAt })))],
    );
    const byTask = new Map(rows.map((r) => [r.task_id, r]));
    return batch.map((f) => byTask.get(f.taskId) ?? null);
  });

  storeEstimate(e: StoredEstimate): Promise<void> {
    return this.estimates.add(e);
  }

  private readonly estimates = new GroupBatcher<StoredEstimate, void>(async (batch) => {
    const input = batch.map(({ taskId, signature, estimate, traceId, features }) => {
      const event = estimate
        ? makeEnvelope('prediction.duration.estimated.v1', taskId, { taskId, ...estimate, estimatedAt: new Date().toISOString() }, { traceId })
        : null;
      return {
        task_id: taskId, signature, p50_ms: estimate?.p50Ms ?? 0, p90_ms: estimate?.p90Ms ?? 0, model: estimate?.model ?? 'moving-average',
        model_version: estimate?.modelVersion ?? 'v1', based_on: estimate?.basedOn ?? 0,
        features: features ? Array.from(features, (v) => (Number.isFinite(v) ? v : null)) : null, event_id: event?.eventId ?? null, envelope: event, occurred_at: event?.occurredAt ?? null,
      };
    });
    await this.db.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, signature text, p50_ms float8, p90_ms float8, model text, model_version text,
           based_on int, features jsonb, event_id uuid, envelope jsonb, occurred_at timestamptz)
       ), e AS (
         INSERT INTO duration_estimates (task_id, signature, p50_ms, p90_ms, model, model_version, based_on, features, estimated_at)
         SELECT task_id, signature, p50_ms, p90_ms, model, model_version, based_on, features, now() FROM input
         ON CONFLICT (task_id) DO NOTHING RETURNING task_id
       )
       INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
       SELECT i.event_id, 'analyzer', 'prediction.duration.estimated.v1', e.task_id::text, i.envelope, i.occurred_at
       FROM e JOIN input i ON i.task_id = e.task_id WHERE i.event_id IS NOT NULL`,
      [JSON.stringify(input)],
    );
    return batch.map(() => undefined);
  });

  async estimateOf(taskId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await this.db.query(
      `SELECT task_id AS "taskId", signature, p50_ms AS "p50Ms", p90_ms AS "p90Ms", model, model_version AS "modelVersion", based_on AS "basedOn", estimated_at AS "estimatedAt"
       FROM duration_estimates WHERE task_id = $1`,
      [taskId],
    );
    return rows[0];
  }

  async taskOfTenant(taskId: string, tenant: string): Promise<boolean> {
    const rows = await this.db.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND tenant = $2) AS ok`, [taskId, tenant]);
    return rows[0]?.ok === true;
  }

  async estimateFeatures(taskId: string): Promise<EstimateWithFeatures | undefined> {
    const rows = await this.db.query<EstimateWithFeatures>(
      `SELECT model, model_version AS "modelVersion", p50_ms::float8 AS "p50Ms", p90_ms::float8 AS "p90Ms", features FROM duration_estimates WHERE task_id = $1`,
      [taskId],
    );
    return rows[0];
  }

  outcomes(model: string, limit: number) {
    return this.db.query<{ model_version: string; p50_ms: number; p90_ms: number; actual_ms: number }>(
      `SELECT model_version, p50_ms, p90_ms, actual_ms FROM prediction_outcomes WHERE model = $1 ORDER BY observed_at DESC LIMIT $2`,
      [model, limit],
    );
  }

  outcomesOfVersion(model: string, version: string, limit: number) {
    return this.db.query<{ p50_ms: number; actual_ms: number }>(
      `SELECT p50_ms, actual_ms FROM prediction_outcomes WHERE model = $1 AND model_version = $2 ORDER BY observed_at DESC LIMIT $3`,
      [model, version, limit],
    );
  }

  async recordDriftReport(r: DriftReportRecord): Promise<void> {
    const { report } = r;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO model_drift_reports (id, name, version, decision, reasons, report, retrain_requested, assessed_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
        [r.reportId, r.name, r.version, report.decision, JSON.stringify(report.reasons), JSON.stringify(report), r.autoRetrain, r.assessedBy],
      );
      if (report.decision === 'none') return;
      const event: Envelope<'model.drift.detected.v1'> = makeEnvelope('model.drift.detected.v1', r.name, {
        reportId: r.reportId,
        name: r.name,
        version: r.version,
        decision: report.decision,
        driftedFeatures: [...report.driftedFeatures],
        reasons: [...report.reasons],
        autoRetrain: r.autoRetrain,
        assessedAt: new Date().toISOString(),
      });
      await appendToOutbox(tx, 'analyzer', [event]);
    });
  }

  driftReports(name: string): Promise<unknown[]> {
    return this.db.query(
      `SELECT id, version, decision, reasons, retrain_requested AS "retrainRequested", assessed_by AS "assessedBy", assessed_at AS "assessedAt", report
       FROM model_drift_reports WHERE name = $1 ORDER BY assessed_at DESC LIMIT 50`,
      [name],
    );
  }
}

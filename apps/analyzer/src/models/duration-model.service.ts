import { randomUUID } from 'node:crypto';
import { makeEnvelope, type TaskQueued } from '@kairos/contracts';
import {
  AccuracyTracker,
  accuracyMetrics,
  columnsFromRows,
  decodeServingArtifact,
  DriftMonitor,
  DURATION_FEATURE_NAMES,
  DURATION_SERVING_FORMAT,
  LiveDurationFeatures,
  ModelRegistry,
  modelVersionKey,
  platformFeatureRows,
  ProductionModelCache,
  toDurationSpec,
  type DriftReport,
  type LoadedDurationModel,
  type ModelVersion,
  type PlatformTrainingOptions,
} from '@kairos/ml';
import { appendToOutbox } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';
import type { Runtime } from '@kairos/runtime';
import { AnalyzerError } from '../errors/analyzer.errors';
import { movingAverageEstimate } from '../estimates/duration-baseline';
import { DurationTrainingRunner } from '../training/duration-training.runner';
import { TaskHistoryRepository } from '../training/task-history.repository';
import { PgModelStore } from './pg-model.store';

export const DURATION_MODEL = 'duration';
const BASELINE_HISTORY = 20;

interface FinishedTask {
  taskId: string;
  attempt: number;
  status: string;
  durationMs: number;
  finishedAt: string;
  fallbackSignature: string;
}

interface EstimateRow {
  model: string;
  model_version: string;
  p50_ms: number;
  p90_ms: number;
}

interface StoredEstimate {
  taskId: string;
  signature: string;
  estimate: DurationEstimate | null;
  traceId: string;
}

export interface DurationEstimate {
  p50Ms: number;
  p90Ms: number;
  model: string;
  modelVersion: string;
  basedOn: number;
}

export interface TrainRequest {
  maxRows?: number;
  validationFraction?: number;
  trees?: number;
  deploy?: boolean;
}

/**
 * The duration model as a service: registry (PostgreSQL), the production model hot-swapped in
 * memory, predictions (model p50/p90, moving-average fallback), live accuracy and drift checks.
 */
export class DurationModelService {
  readonly registry: ModelRegistry;
  readonly cache: ProductionModelCache<LoadedDurationModel>;
  readonly tracker = new AccuracyTracker({ windowSize: 5_000 });
  readonly drift = new DriftMonitor();
  readonly history: TaskHistoryRepository;
  private readonly live = new LiveDurationFeatures();
  private readonly runner = new DurationTrainingRunner();
  private training: Promise<ModelVersion> | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly backend: () => Promise<string>,
  ) {
    this.registry = new ModelRegistry({ store: new PgModelStore(rt.db) });
    this.history = new TaskHistoryRepository(rt.db);
    this.cache = new ProductionModelCache<LoadedDurationModel>({
      source: this.registry,
      name: DURATION_MODEL,
      expectedFeatures: DURATION_FEATURE_NAMES,
      load: ({ bytes }) => decodeServingArtifact(bytes),
      onSwap: ({ from, to }) => rt.logger.info({ from: from?.version, to: to.version }, 'duration model hot-swapped'),
      onError: (err) => rt.logger.warn({ err }, 'production model refresh failed'),
    });
  }

  get trainingMode(): string {
    return this.runner.mode;
  }

  async start(pollMs: number): Promise<void> {
    await this.resyncFeatures();
    await this.cache.refresh();
    this.cache.startPolling(pollMs);
  }

  async stop(): Promise<void> {
    await this.cache.close();
  }

  async resyncFeatures(): Promise<void> {
    this.live.resync(await this.history.recent(this.rt.config.ANALYZER_HISTORY_ROWS), Date.now());
  }

  /** One training at a time per replica; the GBDT runs in a worker thread. */
  train(req: TrainRequest, by: string): Promise<ModelVersion> {
    if (this.training) throw new AnalyzerError('TRAINING_IN_PROGRESS', 'a duration training run is already in progress on this analyzer');
    const run = (async () => {
      const records = await this.history.recent(req.maxRows ?? this.rt.config.ANALYZER_HISTORY_ROWS);
      const options: Partial<PlatformTrainingOptions> = {
        ...(req.validationFraction !== undefined ? { validationFraction: req.validationFraction } : {}),
        ...(req.trees !== undefined ? { gbdt: { nTrees: req.trees } } : {}),
      };
      const outcome = await this.runner.run(records, options);
      const backend = await this.backend();
      const version = await this.registry.register({
        name: DURATION_MODEL,
        artifact: outcome.artifact,
        artifactFormat: DURATION_SERVING_FORMAT,
        metrics: outcome.metrics,
        trainingWindow: outcome.trainingWindow,
        features: outcome.features,
        backend,
        createdBy: by,
        notes: `GBDT p50/p90 on ${records.length} platform tasks (${this.runner.mode}); validation MAE ${Math.round(outcome.metrics.validationMaeMs)} ms vs moving average ${Math.round(outcome.metrics.baselineMaeMs)} ms`,
      });
      this.rt.logger.info({ version: version.version, metrics: version.metrics }, 'duration model trained');
      return req.deploy ? this.deploy(DURATION_MODEL, version.version, by) : version;
    })().finally(() => (this.training = null));
    this.training = run;
    return run;
  }

  async deploy(name: string, version: number, by: string): Promise<ModelVersion> {
    const v = await this.registry.promote(name, version, { by, note: 'deploy via API' });
    if (name === DURATION_MODEL) await this.cache.notifyChanged();
    return v;
  }

  async rollback(name: string, by: string): Promise<ModelVersion> {
    const v = await this.registry.rollback(name, { by, note: 'rollback via API' });
    if (name === DURATION_MODEL) await this.cache.notifyChanged();
    return v;
  }

  observeQueued(p: TaskQueued, signature: string): void {
    this.live.observeQueued(p.taskId, toDurationSpec({ signature, cpuMillis: p.resources.cpuMillis, memMb: p.resources.memMb, createdAtMs: Date.parse(p.submittedAt) }));
  }

  observeFinished(taskId: string, finishedAtMs: number, succeeded: boolean): void {
    this.live.observeFinished(taskId, finishedAtMs, succeeded);
  }

  /** Production model when one is loaded (p50 central, p90 upper), else the moving average of similar tasks. */
  async estimate(spec: { signature: string; cpuMillis: number; memMb: number; createdAtMs: number }): Promise<DurationEstimate | null> {
    const serving = this.cache.current();
    if (serving) {
      return this.cache.use((m, v) => {
        const [q] = m.predictor.predictBatch([this.live.features(toDurationSpec(spec))]);
        return { p50Ms: q.p50 * 1000, p90Ms: q.p90 * 1000, model: v.name, modelVersion: String(v.version), basedOn: v.metrics.trainExamples ?? 0 };
      });
    }
    const history = await this.histories.add(spec.signature);
    const est = movingAverageEstimate(history);
    return est ? { ...est, model: 'moving-average', modelVersion: 'v1', basedOn: history.length } : null;
  }

  /** The latest succeeded durations per signature; concurrent lookups share one query. */
  private readonly histories = new GroupBatcher<string, number[]>(async (signatures) => {
    const distinct = [...new Set(signatures)];
    const rows = await this.rt.db.query<{ signature: string; durations: number[] }>(
      `SELECT s.signature, ARRAY(SELECT h.duration_ms::float8 FROM duration_history h WHERE h.signature = s.signature AND h.status = 'succeeded'
                                 ORDER BY h.finished_at DESC LIMIT ${BASELINE_HISTORY}) AS durations
       FROM unnest($1::text[]) AS s(signature)`,
      [distinct],
    );
    const bySignature = new Map(rows.map((r) => [r.signature, r.durations.map(Number)]));
    return signatures.map((sig) => bySignature.get(sig) ?? []);
  });

  /**
   * Records a finished task: its duration history row (under the signature its estimate was made with,
   * else `fallbackSignature`) and, when it succeeded, the outcome of the prediction made for it (accuracy
   * tracking). Idempotent on redelivery; concurrent calls share one statement.
   */
  async recordFinished(f: FinishedTask): Promise<void> {
    const est = await this.finished.add(f);
    if (!est || f.status !== 'succeeded') return;
    const version = Number(est.model_version);
    if (Number.isInteger(version)) this.tracker.record(modelVersionKey(est.model, version), { predicted: est.p50_ms, upper: est.p90_ms, actual: f.durationMs, atMs: Date.parse(f.finishedAt) });
  }

  private readonly finished = new GroupBatcher<FinishedTask, EstimateRow | null>(async (batch) => {
    const rows = await this.rt.db.query<EstimateRow & { task_id: string }>(
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

  /**
   * Stores the estimate made for a queued task and, when there is one, its event; a redelivery inserts
   * neither. Concurrent calls share one statement.
   */
  storeEstimate(e: StoredEstimate): Promise<void> {
    return this.estimates.add(e);
  }

  private readonly estimates = new GroupBatcher<StoredEstimate, void>(async (batch) => {
    const input = batch.map(({ taskId, signature, estimate, traceId }) => {
      const event = estimate
        ? makeEnvelope('prediction.duration.estimated.v1', taskId, { taskId, ...estimate, estimatedAt: new Date().toISOString() }, { traceId })
        : null;
      return {
        task_id: taskId, signature, p50_ms: estimate?.p50Ms ?? 0, p90_ms: estimate?.p90Ms ?? 0, model: estimate?.model ?? 'moving-average',
        model_version: estimate?.modelVersion ?? 'v1', based_on: estimate?.basedOn ?? 0, event_id: event?.eventId ?? null, envelope: event, occurred_at: event?.occurredAt ?? null,
      };
    });
    await this.rt.db.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, signature text, p50_ms float8, p90_ms float8, model text, model_version text,
           based_on int, event_id uuid, envelope jsonb, occurred_at timestamptz)
       ), e AS (
         INSERT INTO duration_estimates (task_id, signature, p50_ms, p90_ms, model, model_version, based_on, estimated_at)
         SELECT task_id, signature, p50_ms, p90_ms, model, model_version, based_on, now() FROM input
         ON CONFLICT (task_id) DO NOTHING RETURNING task_id
       )
       INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
       SELECT i.event_id, 'analyzer', 'prediction.duration.estimated.v1', e.task_id::text, i.envelope, i.occurred_at
       FROM e JOIN input i ON i.task_id = e.task_id WHERE i.event_id IS NOT NULL`,
      [JSON.stringify(input)],
    );
    return batch.map(() => undefined);
  });

  /** Cluster-wide accuracy per version from the stored outcomes, plus what this replica saw. */
  async accuracy(name: string) {
    const rows = await this.rt.db.query<{ model_version: string; p50_ms: number; p90_ms: number; actual_ms: number }>(
      `SELECT model_version, p50_ms, p90_ms, actual_ms FROM prediction_outcomes WHERE model = $1 ORDER BY observed_at DESC LIMIT 20000`,
      [name],
    );
    const byVersion = new Map<string, Array<{ predicted: number; upper: number; actual: number }>>();
    for (const r of rows) {
      const list = byVersion.get(r.model_version) ?? [];
      list.push({ predicted: r.p50_ms, upper: r.p90_ms, actual: r.actual_ms });
      byVersion.set(r.model_version, list);
    }
    const production = await this.registry.getProduction(name).catch(() => undefined);
    return {
      name,
      productionVersion: production?.version ?? null,
      versions: [...byVersion.entries()].map(([version, outcomes]) => ({ version, ...accuracyMetrics(outcomes) })),
      thisReplica: this.tracker.reports().filter((r) => r.modelKey.startsWith(`${name}@`)),
    };
  }

  /**
   * Compares the features of tasks since the production model's training window with its reference
   * profile (PSI + KS per feature) and the live MAE with its validation MAE; records the report and
   * publishes model.drift.detected.v1 when the decision is not `none`.
   */
  async assessDrift(): Promise<{ reportId: string; version: number; report: DriftReport } | null> {
    const serving = this.cache.current();
    if (!serving) return null;
    const { version } = serving;
    const since = Date.parse(version.trainingWindow.to);
    const records = await this.history.recent(this.rt.config.ANALYZER_HISTORY_ROWS);
    const rows = platformFeatureRows(records, since + 1);
    if (!rows.length) return null;
    const outcomes = await this.rt.db.query<{ p50_ms: number; actual_ms: number }>(
      `SELECT p50_ms, actual_ms FROM prediction_outcomes WHERE model = $1 AND model_version = $2 ORDER BY observed_at DESC LIMIT 5000`,
      [version.name, String(version.version)],
    );
    const liveMae = accuracyMetrics(outcomes.map((o) => ({ predicted: o.p50_ms, actual: o.actual_ms }))).mae;
    const validationMae = version.metrics.validationMaeMs;
    const report = this.drift.assess(
      serving.model.reference,
      columnsFromRows(DURATION_FEATURE_NAMES, rows),
      liveMae !== null && validationMae > 0 ? { validationMae, liveMae, liveCount: outcomes.length } : undefined,
    );
    const reportId = randomUUID();
    const autoRetrain = this.rt.config.ANALYZER_AUTO_RETRAIN && report.decision === 'retrain';
    await this.rt.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO model_drift_reports (id, name, version, decision, reasons, report, retrain_requested, assessed_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
        [reportId, version.name, version.version, report.decision, JSON.stringify(report.reasons), JSON.stringify(report), autoRetrain, this.rt.instanceId],
      );
      if (report.decision !== 'none') {
        await appendToOutbox(tx, 'analyzer', [
          makeEnvelope('model.drift.detected.v1', version.name, {
            reportId,
            name: version.name,
            version: version.version,
            decision: report.decision,
            driftedFeatures: [...report.driftedFeatures],
            reasons: [...report.reasons],
            autoRetrain,
            assessedAt: new Date().toISOString(),
          }),
        ]);
      }
    });
    return { reportId, version: version.version, report };
  }

  async driftReports(name: string) {
    return this.rt.db.query(
      `SELECT id, version, decision, reasons, retrain_requested AS "retrainRequested", assessed_by AS "assessedBy", assessed_at AS "assessedAt", report
       FROM model_drift_reports WHERE name = $1 ORDER BY assessed_at DESC LIMIT 50`,
      [name],
    );
  }
}

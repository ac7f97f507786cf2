import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { TaskQueued } from '@kairos/contracts';
import {
  AccuracyTracker,
  accuracyMetrics,
  columnsFromRows,
  decodeServingArtifact,
  DEFAULT_DEPLOY_GATE_POLICY,
  DriftMonitor,
  DURATION_FEATURE_NAMES,
  DURATION_SERVING_FORMAT,
  LiveDurationFeatures,
  ModelRegistry,
  modelVersionKey,
  platformFeatureRows,
  ProductionModelCache,
  toDurationSpec,
  type BackendChoice,
  type DriftReport,
  type LoadedDurationModel,
  type ModelStore,
  type ModelVersion,
  type PlatformTrainingOptions,
} from '@kairos/ml';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, KAIROS_METRICS, type AppIdentity, type KairosMetrics } from '@kairos/runtime';
import { TF_BACKEND } from '../core/analyzer-options';
import { AnalyzerError } from '../errors/analyzer.errors';
import { movingAverageEstimate } from '../estimates/duration-baseline';
import { DurationTrainingRunner } from '../training/duration-training.runner';
import { TaskHistoryRepository } from '../training/task-history.repository';
import { DURATION_REPOSITORY, type DurationEstimate, type DurationRepository, type FinishedTask, type StoredEstimate } from './duration.repository';
import { MODEL_STORE } from './model-store.repository';

export type { DurationEstimate } from './duration.repository';
export const DURATION_MODEL = 'duration';

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
@Injectable()
export class DurationModelService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly registry: ModelRegistry;
  readonly cache: ProductionModelCache<LoadedDurationModel>;
  readonly tracker = new AccuracyTracker({ windowSize: 5_000 });
  readonly drift = new DriftMonitor();
  /** In-memory feature state, bounded (see LiveDurationFeatures): the baselines keep the last ANALYZER_HISTORY_ROWS durations. */
  readonly live: LiveDurationFeatures;
  private readonly runner = new DurationTrainingRunner();
  private training: Promise<ModelVersion> | null = null;

  constructor(
    @Inject(MODEL_STORE) store: ModelStore,
    readonly history: TaskHistoryRepository,
    @Inject(DURATION_REPOSITORY) private readonly durations: DurationRepository,
    @Inject(TF_BACKEND) private readonly tf: { choice: Promise<BackendChoice | null> },
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
    @Optional() @Inject(KAIROS_METRICS) private readonly metrics?: KairosMetrics,
  ) {
    this.registry = new ModelRegistry({ store });
    this.live = new LiveDurationFeatures(50_000, config.ANALYZER_HISTORY_ROWS);
    metrics?.onScrape('duration-model', () => this.exportModelMetrics(metrics));
    this.cache = new ProductionModelCache<LoadedDurationModel>({
      source: this.registry,
      name: DURATION_MODEL,
      expectedFeatures: DURATION_FEATURE_NAMES,
      load: ({ bytes }) => decodeServingArtifact(bytes),
      onSwap: ({ from, to }) => id.logger.info({ from: from?.version, to: to.version }, 'duration model hot-swapped'),
      onError: (err) => id.logger.warn({ err }, 'production model refresh failed'),
    });
  }

  private async backend(): Promise<string> {
    return (await this.tf.choice)?.name ?? 'none';
  }

  get trainingMode(): string {
    return this.runner.mode;
  }

  /** Loads the production model (if any) and polls the registry for a new one (hot swap). */
  async onApplicationBootstrap(): Promise<void> {
    await this.start(this.config.ANALYZER_MODEL_POLL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
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
    this.live.resync(await this.history.recent(this.config.ANALYZER_HISTORY_ROWS), Date.now());
  }

  /** One training at a time per replica; the GBDT runs in a worker thread. */
  train(req: TrainRequest, by: string): Promise<ModelVersion> {
    if (this.training) throw new AnalyzerError('TRAINING_IN_PROGRESS', 'a duration training run is already in progress on this analyzer');
    const run = (async () => {
      const records = await this.history.recent(req.maxRows ?? this.config.ANALYZER_HISTORY_ROWS);
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
      this.id.logger.info({ version: version.version, metrics: version.metrics }, 'duration model trained');
      return req.deploy ? this.deploy(DURATION_MODEL, version.version, by) : version;
    })().finally(() => (this.training = null));
    this.training = run;
    return run;
  }

  /**
   * Promote through the deploy gate (the candidate must beat production and the moving-average baseline
   * on its validation rows by 2 %); `force` overrides a refusal, with its reason audited.
   */
  async deploy(name: string, version: number, by: string, force?: { reason: string }): Promise<ModelVersion> {
    const v = await this.registry.promote(name, version, { by, note: 'deploy via API', gate: DEFAULT_DEPLOY_GATE_POLICY, ...(force ? { force } : {}) });
    if (force) this.id.logger.warn({ model: name, version, by, reason: force.reason }, 'deploy gate overridden (forced deploy)');
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
    const history = await this.durations.recentDurations(spec.signature);
    const est = movingAverageEstimate(history);
    // The moving average's central estimate is a mean; it fills the contract's central (p50) slot.
    return est ? { p50Ms: est.meanMs, p90Ms: est.p90Ms, model: 'moving-average', modelVersion: 'v1', basedOn: history.length } : null;
  }

  /**
   * Records a finished task: its duration history row (under the signature its estimate was made with,
   * else `fallbackSignature`) and, when it succeeded, the outcome of the prediction made for it (accuracy
   * tracking). Idempotent on redelivery; concurrent calls share one statement.
   */
  async recordFinished(f: FinishedTask): Promise<void> {
    const est = await this.durations.recordFinished(f);
    if (!est || f.status !== 'succeeded') return;
    const version = Number(est.model_version);
    if (Number.isInteger(version)) this.tracker.record(modelVersionKey(est.model, version), { predicted: est.p50_ms, upper: est.p90_ms, actual: f.durationMs, atMs: Date.parse(f.finishedAt) });
  }

  /**
   * Stores the estimate made for a queued task and, when there is one, its event; a redelivery inserts
   * neither. Concurrent calls share one statement.
   */
  storeEstimate(e: StoredEstimate): Promise<void> {
    return this.durations.storeEstimate(e);
  }

  estimateOf(taskId: string): Promise<Record<string, unknown> | undefined> {
    return this.durations.estimateOf(taskId);
  }

  /** Cluster-wide accuracy per version from the stored outcomes, plus what this replica saw. */
  async accuracy(name: string) {
    const rows = await this.durations.outcomes(name, 20_000);
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
    const records = await this.history.recent(this.config.ANALYZER_HISTORY_ROWS);
    const rows = platformFeatureRows(records, since + 1);
    if (!rows.length) return null;
    const outcomes = await this.durations.outcomesOfVersion(version.name, String(version.version), 5_000);
    const liveMae = accuracyMetrics(outcomes.map((o) => ({ predicted: o.p50_ms, actual: o.actual_ms }))).mae;
    const validationMae = version.metrics.validationMaeMs;
    const report = this.drift.assess(
      serving.model.reference,
      columnsFromRows(DURATION_FEATURE_NAMES, rows),
      liveMae !== null && validationMae > 0 ? { validationMae, liveMae, liveCount: outcomes.length } : undefined,
    );
    const reportId = randomUUID();
    if (this.metrics) {
      const labels = { model: version.name, version: String(version.version) };
      this.metrics.modelMetric.set({ ...labels, metric: 'drifted_features' }, report.driftedFeatures.length);
      this.metrics.modelMetric.set({ ...labels, metric: 'max_psi' }, Math.max(0, ...report.features.map((f) => f.psi)));
    }
    const autoRetrain = this.config.ANALYZER_AUTO_RETRAIN && report.decision === 'retrain';
    await this.durations.recordDriftReport({ reportId, name: version.name, version: version.version, report, autoRetrain, assessedBy: this.id.instanceId });
    return { reportId, version: version.version, report };
  }

  /** /metrics: the serving version's validation MAE and what this replica saw of it live (MAE, p90 coverage). */
  private exportModelMetrics(metrics: KairosMetrics): void {
    const serving = this.cache.current();
    if (!serving) return;
    const { version } = serving;
    const labels = { model: version.name, version: String(version.version) };
    metrics.modelMetric.set({ ...labels, metric: 'validation_mae_ms' }, version.metrics.validationMaeMs);
    const live = this.tracker.report(modelVersionKey(version.name, version.version));
    if (live.mae !== null) metrics.modelMetric.set({ ...labels, metric: 'live_mae_ms' }, live.mae);
    if (live.p90Coverage !== null) metrics.modelMetric.set({ ...labels, metric: 'live_p90_coverage' }, live.p90Coverage);
    metrics.modelMetric.set({ ...labels, metric: 'live_outcomes' }, live.count);
  }

  driftReports(name: string): Promise<unknown[]> {
    return this.durations.driftReports(name);
  }
}

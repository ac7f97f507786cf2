import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { FeatureImportance, ModelRef, PredictionExplanation, TaskQueued } from '@kairos/contracts';
import {
  AccuracyTracker,
  accuracyMetrics,
  columnsFromRows,
  decodeServingArtifact,
  DEFAULT_DEPLOY_GATE_POLICY,
  durationExplainers,
  explainPrediction,
  importanceFromMetrics,
  unavailableExplanation,
  type DurationExplainers,
  DriftMonitor,
  DURATION_FEATURE_NAMES,
  DURATION_SERVING_FORMAT,
  LiveDurationFeatures,
  ModelRegistry,
  modelVersionKey,
  platformFeatureRows,
  ProductionModelCache,
  servingFeatures,
  toDurationSpec,
  type BackendChoice,
  type DriftReport,
  type LoadedDurationModel,
  type ModelStore,
  type ModelVersion,
  type PlatformTrainingOptions,
} from '@kairos/ml';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, KAIROS_METRICS, tenantFilterOf, type AppIdentity, type KairosMetrics, type TenantAccess } from '@kairos/runtime';
import { TF_BACKEND } from '../core/analyzer-options';
import { AnalyzerError } from '../errors/analyzer.errors';
import { movingAverageEstimate } from '../estimates/duration-baseline';
import { DurationTrainingRunner } from '../training/duration-training.runner';
import { TaskHistoryRepository } from '../training/task-history.repository';
import { DURATION_REPOSITORY, type DurationEstimate, type DurationRepository, type FinishedTask, type StoredEstimate } from './duration.repository';
import { MODEL_STORE } from './model-store.repository';

export type { DurationEstimate } from './duration.repository';
export const DURATION_MODEL = 'duration';

/** Why a stored duration estimate is what it is: p50 and p90 attributions plus the version's global importance. */
export interface EstimateExplanation {
  taskId: string;
  model: string;
  modelVersion: string;
  p50Ms: number;
  p90Ms: number;
  p50: PredictionExplanation;
  p90: PredictionExplanation;
  importance: FeatureImportance | null;
}

/** Explainers built per model version (TreeSHAP over both quantile models), kept for the few latest versions. */
interface VersionExplainers {
  readonly ref: ModelRef;
  readonly explainers: DurationExplainers | null;
  readonly importance: FeatureImportance | null;
}
const EXPLAINER_CACHE_VERSIONS = 4;

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
  private readonly explainerCache = new Map<number, Promise<VersionExplainers>>();

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
    const records = await this.history.recent(this.config.ANALYZER_HISTORY_ROWS);
    await this.live.resyncInSlices(records, Date.now());
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
    return (await this.estimateWithFeatures(spec)).estimate;
  }

  /** The estimate and, when a model made it, the feature row it read (stored with the estimate so it can be explained). */
  async estimateWithFeatures(spec: { signature: string; cpuMillis: number; memMb: number; createdAtMs: number }): Promise<{ estimate: DurationEstimate | null; features?: Float64Array }> {
    const serving = this.cache.current();
    if (serving) {
      return this.cache.use((m, v) => {
        // The live state computes every feature; the model reads its own subset (its feature groups).
        const features = servingFeatures(m, this.live.features(toDurationSpec(spec)));
        const [q] = m.predictor.predictBatch([features]);
        return { estimate: { p50Ms: q.p50 * 1000, p90Ms: q.p90 * 1000, model: v.name, modelVersion: String(v.version), basedOn: v.metrics.trainExamples ?? 0 }, features };
      });
    }
    const history = await this.durations.recentDurations(spec.signature);
    const est = movingAverageEstimate(history);
    // The moving average's central estimate is a mean; it fills the contract's central (p50) slot.
    return { estimate: est ? { p50Ms: est.meanMs, p90Ms: est.p90Ms, model: 'moving-average', modelVersion: 'v1', basedOn: history.length } : null };
  }

  /**
   * Explains the estimate stored for a task: TreeSHAP attributions of its p50 and p90 models (log1p seconds)
   * for the feature row the estimate was made from, against the version that made it, and that version's
   * global importance. Moving-average estimates and estimates stored without a row answer 'unavailable'.
   */
  async explain(taskId: string, at = new Date()): Promise<EstimateExplanation | undefined> {
    const row = await this.durations.estimateFeatures(taskId);
    if (!row) return undefined;
    const base = { taskId, model: row.model, modelVersion: row.modelVersion, p50Ms: row.p50Ms, p90Ms: row.p90Ms };
    const version = Number(row.modelVersion);
    if (row.model !== DURATION_MODEL || !Number.isInteger(version) || version < 1) {
      const detail = `a ${row.model} estimate has no feature attribution`;
      return { ...base, p50: unavailableExplanation(null, 'duration_p50', 'model_not_supported', at, detail), p90: unavailableExplanation(null, 'duration_p90', 'model_not_supported', at, detail), importance: null };
    }
    const v = await this.explainersOf(version);
    if (!v.explainers || !row.features) {
      const reason = v.explainers ? 'error' : 'no_node_covers';
      const detail = v.explainers ? 'the estimate was stored without its feature row (made before estimates kept them)' : 'the version was trained before node covers were recorded';
      return { ...base, p50: unavailableExplanation(v.ref, 'duration_p50', reason, at, detail), p90: unavailableExplanation(v.ref, 'duration_p90', reason, at, detail), importance: v.importance };
    }
    const features = row.features.map((x) => (x === null ? Number.NaN : x));
    const ctx = { model: v.ref, outputSpace: 'log1p_seconds' as const, featureNames: v.explainers.featureNames, at };
    return {
      ...base,
      p50: explainPrediction(v.explainers.central, features, { ...ctx, target: 'duration_p50' }),
      p90: explainPrediction(v.explainers.upper, features, { ...ctx, target: `duration_p${Math.round(v.explainers.upperQuantile * 100)}` }),
      importance: v.importance,
    };
  }

  /** A version's global feature importance, stored in its metrics at training (null for versions trained before). */
  async importance(name: string, version: number): Promise<FeatureImportance | null> {
    const v = await this.registry.get(name, version);
    return importanceFromMetrics(v.metrics, v.features, { name: v.name, version: v.version, featureSchemaHash: v.featureSchemaHash });
  }

  private explainersOf(version: number): Promise<VersionExplainers> {
    let entry = this.explainerCache.get(version);
    if (!entry) {
      entry = (async () => {
        const { version: v, bytes } = await this.registry.loadArtifact(DURATION_MODEL, version);
        const ref: ModelRef = { name: v.name, version: v.version, featureSchemaHash: v.featureSchemaHash };
        return { ref, explainers: durationExplainers(decodeServingArtifact(bytes).predictor.toJSON()), importance: importanceFromMetrics(v.metrics, v.features, ref) };
      })();
      entry.catch(() => this.explainerCache.delete(version));
      this.explainerCache.set(version, entry);
      while (this.explainerCache.size > EXPLAINER_CACHE_VERSIONS) this.explainerCache.delete(this.explainerCache.keys().next().value as number);
    }
    return entry;
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

  /** May a key of `access` see this task's estimate? Admin: any; otherwise only its tenant's tasks (as GET /api/tasks/:id). */
  async canSeeTask(taskId: string, access: TenantAccess): Promise<boolean> {
    const tenant = tenantFilterOf(access);
    return tenant === null || this.durations.taskOfTenant(taskId, tenant);
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

import { buildReferenceProfile, columnsFromRows, type ReferenceProfile } from '../drift/reference-profile.model';
import type { ModelMetrics, TrainingWindow } from '../registry/model-version.model';
import { type TraceTask } from '../prediction/alibaba-trace.parser';
import { buildDurationDataset, DURATION_FEATURE_NAMES, DurationFeatureState, type DurationTaskSpec } from '../prediction/duration-features';
import { DurationPredictor, type DurationPredictorJson } from '../prediction/duration.predictor';
import type { FeatureMatrix, GbdtParams } from '../prediction/gradient-boosting.model';
import { importanceToMetrics } from '../explain/feature-importance.metrics';
import { durationModelFeatures, durationRowWeights, featureColumns, paramsForRows, selectColumns, SERVED_DURATION_MODEL, type DurationModelConfig } from '../prediction/served-duration.config';
import { meanAbsoluteShap, permutationImportance } from '../explain/permutation-importance';
import { TreeShapExplainer } from '../explain/tree-shap.explainer';

/**
 * The platform's own history as duration training sees it: one row per task, keyed by its signature
 * (queue | kind | name — "the same job"). Times are epoch milliseconds.
 */
export interface PlatformTaskRecord {
  readonly taskId: string;
  readonly signature: string;
  readonly cpuMillis: number;
  readonly memMb: number;
  readonly createdAtMs: number;
  /** Null while the task has not finished. */
  readonly finishedAtMs: number | null;
  /** True when the run time is real (the task succeeded), so it can teach a duration. */
  readonly succeeded: boolean;
}

export type ServingErrorCode = 'INSUFFICIENT_HISTORY' | 'INVALID_ARTIFACT';

export class ServingError extends Error {
  constructor(
    readonly code: ServingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServingError';
  }
}

/** Memory is expressed as a fraction of this reference machine, as the trace's plan_mem is. */
const REFERENCE_MACHINE_MB = 65_536;

/** A platform task in the trace's vocabulary, so the same feature code serves both (seconds, 1/100 core). */
export function toTraceTask(r: PlatformTaskRecord): TraceTask {
  const createTime = r.createdAtMs / 1000;
  return {
    createTime,
    endTime: r.finishedAtMs === null ? -1 : r.finishedAtMs / 1000,
    jobId: r.signature,
    taskId: r.taskId,
    instanceNum: 1,
    status: r.succeeded && r.finishedAtMs !== null ? 'Terminated' : r.finishedAtMs === null ? 'Running' : 'Failed',
    planCpu: r.cpuMillis / 10,
    planMem: r.memMb / REFERENCE_MACHINE_MB,
  };
}

export function toDurationSpec(r: Pick<PlatformTaskRecord, 'signature' | 'cpuMillis' | 'memMb' | 'createdAtMs'>): DurationTaskSpec {
  return { queue: r.signature, instanceNum: 1, planCpu: r.cpuMillis / 10, planMem: r.memMb / REFERENCE_MACHINE_MB, createTime: r.createdAtMs / 1000 };
}

/** What the registry stores for a platform duration model: the predictor and its training reference profile. */
export interface DurationServingArtifact {
  readonly kind: 'kairos-duration-serving';
  readonly version: 1;
  readonly predictor: DurationPredictorJson;
  readonly reference: ReferenceProfile;
}

export const DURATION_SERVING_FORMAT = 'kairos-duration-serving/1';

export interface LoadedDurationModel {
  readonly predictor: DurationPredictor;
  readonly reference: ReferenceProfile;
  /** Positions of the predictor's features in DURATION_FEATURE_NAMES (what LiveDurationFeatures computes). */
  readonly inputColumns: readonly number[];
}

/** The row the predictor reads, taken from a full DURATION_FEATURE_NAMES row (a copy; identity for all-feature models). */
export function servingFeatures(model: Pick<LoadedDurationModel, 'inputColumns'>, row: ArrayLike<number>): Float64Array {
  return Float64Array.from(model.inputColumns, (c) => row[c]);
}

export function encodeServingArtifact(predictor: DurationPredictor, reference: ReferenceProfile): Uint8Array {
  const artifact: DurationServingArtifact = { kind: 'kairos-duration-serving', version: 1, predictor: predictor.toJSON(), reference };
  return new TextEncoder().encode(JSON.stringify(artifact));
}

export function decodeServingArtifact(bytes: Uint8Array): LoadedDurationModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ServingError('INVALID_ARTIFACT', `serving artifact is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const o = parsed as Partial<DurationServingArtifact> | null;
  if (!o || o.kind !== 'kairos-duration-serving' || o.version !== 1 || !o.reference || !Array.isArray(o.reference.features)) {
    throw new ServingError('INVALID_ARTIFACT', `serving artifact has kind/version ${String(o?.kind)}/${String(o?.version)}`);
  }
  const predictor = DurationPredictor.fromJSON(o.predictor);
  let inputColumns: number[];
  try {
    inputColumns = featureColumns(DURATION_FEATURE_NAMES, predictor.featureNames);
  } catch (e) {
    throw new ServingError('INVALID_ARTIFACT', `serving artifact reads a feature this version does not compute: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { predictor, reference: o.reference, inputColumns };
}

export interface PlatformTrainingOptions {
  /** Share of the newest examples (by create time) held out for validation. */
  readonly validationFraction: number;
  readonly minExamples: number;
  /** Feature groups, both ensembles' settings and row weights: by default what `bench duration` measures. */
  readonly model: DurationModelConfig;
  /** Overrides applied to both ensembles on top of `model` (e.g. fewer trees in tests). */
  readonly gbdt: Partial<GbdtParams>;
  /** Order statistics kept per feature in the reference profile. */
  readonly referenceSamples: number;
  /** Moving-average window of the moving-average baseline (same shape, else cluster-wide). */
  readonly baselineWindow: number;
  /**
   * Shuffles per feature of the permutation importance computed on the validation rows and stored with the
   * version (`importance.*` metrics, with mean |TreeSHAP| of the p50 model over the same rows); 0 = none.
   */
  readonly importanceRepeats: number;
  /**
   * The production model's serving artifact (bytes, so it crosses a worker boundary), when there is one: it
   * is scored on the same validation rows and recorded as `productionMaeMs`, so the deploy gate compares
   * like with like.
   */
  readonly productionArtifact?: Uint8Array;
}

export const DEFAULT_PLATFORM_TRAINING: PlatformTrainingOptions = {
  validationFraction: 0.2,
  minExamples: 30,
  model: SERVED_DURATION_MODEL,
  gbdt: {},
  referenceSamples: 500,
  baselineWindow: 20,
  importanceRepeats: 3,
};

export interface PlatformTrainingOutcome {
  readonly artifact: Uint8Array;
  readonly artifactFormat: string;
  readonly features: readonly string[];
  readonly metrics: ModelMetrics;
  readonly trainingWindow: TrainingWindow;
  readonly reference: ReferenceProfile;
}

/**
 * Trains the GBDT duration model (p50 and p90) on platform history: replays the tasks in time order
 * through the shared feature state (no look-ahead), trains on the older examples and validates on the
 * newest ones against the strongest causal baseline (`baselineMaeMs`: the best of the same-shape median,
 * the same-job median and the moving average on those rows; each is recorded too), which the deploy gate
 * reads. Pure and synchronous: the analyzer runs it in a worker thread.
 */
export function trainPlatformDurationModel(records: readonly PlatformTaskRecord[], options: Partial<PlatformTrainingOptions> = {}): PlatformTrainingOutcome {
  const o: PlatformTrainingOptions = { ...DEFAULT_PLATFORM_TRAINING, ...options, gbdt: { ...DEFAULT_PLATFORM_TRAINING.gbdt, ...options.gbdt } };
  const data = buildDurationDataset(records.map(toTraceTask), { trainFraction: 1, baselineWindows: [o.baselineWindow], historyLength: 1 });
  if (data.rows < o.minExamples) {
    throw new ServingError('INSUFFICIENT_HISTORY', `training needs at least ${o.minExamples} succeeded tasks, history has ${data.rows}`);
  }
  const nVal = Math.max(1, Math.round(data.rows * o.validationFraction));
  const nTrain = data.rows - nVal;
  const cols = data.cols;
  const allTrainX = { values: data.features.subarray(0, nTrain * cols), rows: nTrain, cols };
  const allValX = { values: data.features.subarray(nTrain * cols), rows: nVal, cols };
  const featureNames = durationModelFeatures(o.model);
  const modelCols = featureColumns(DURATION_FEATURE_NAMES, featureNames);
  const trainX = selectColumns(allTrainX, modelCols);
  const valX = selectColumns(allValX, modelCols);
  const predictor = DurationPredictor.train(trainX, data.durations.subarray(0, nTrain), {
    featureNames,
    central: paramsForRows({ ...o.model.central, ...o.gbdt }, nTrain),
    upper: paramsForRows({ ...o.model.upper, ...o.gbdt }, nTrain),
    centralWeights: durationRowWeights(o.model, data.baselines.medianShape.subarray(0, nTrain)),
  });
  const p50 = new Float64Array(nVal);
  const p90 = new Float64Array(nVal);
  predictor.predictInto(valX, p50, p90);
  // The causal baselines on the same rows; the gate compares with the strongest of them.
  const baselines = {
    medianShape: data.baselines.medianShape.subarray(nTrain),
    medianJob: data.baselines.medianJob.subarray(nTrain),
    movingAverage: (data.baselines.similar.get(o.baselineWindow) as Float64Array).subarray(nTrain),
  };
  const baselineAbs = { medianShape: 0, medianJob: 0, movingAverage: 0 };
  let productionAbs = 0;
  const prodP50 = new Float64Array(nVal);
  const production = o.productionArtifact ? decodeServingArtifact(o.productionArtifact) : undefined;
  // Production is scored on the same rows with the columns it reads (it may read other feature groups).
  if (production) production.predictor.predictInto(selectColumns(allValX, production.inputColumns), prodP50, new Float64Array(nVal));
  let mae = 0;
  let ape = 0;
  let covered = 0;
  for (let i = 0; i < nVal; i++) {
    const actual = data.durations[nTrain + i];
    mae += Math.abs(p50[i] - actual);
    for (const k of ['medianShape', 'medianJob', 'movingAverage'] as const) baselineAbs[k] += Math.abs(baselines[k][i] - actual);
    productionAbs += Math.abs(prodP50[i] - actual);
    ape += Math.abs(p50[i] - actual) / Math.max(actual, 0.001);
    if (actual <= p90[i]) covered++;
  }
  const baselineMae = Math.min(baselineAbs.medianShape, baselineAbs.medianJob, baselineAbs.movingAverage);
  const rows: Float64Array[] = [];
  for (let r = 0; r < nTrain; r++) rows.push(data.features.subarray(r * cols, (r + 1) * cols));
  const reference = buildReferenceProfile(columnsFromRows(DURATION_FEATURE_NAMES, rows), DURATION_FEATURE_NAMES, { maxSamples: o.referenceSamples });
  const validationMaeMs = (mae / nVal) * 1000;
  const importance = o.importanceRepeats > 0 && nVal >= 2 ? versionImportance(predictor, valX, data.durations.subarray(nTrain), o.importanceRepeats) : {};
  // The registered feature schema is the input the serving side computes (all of DURATION_FEATURE_NAMES);
  // the predictor inside the artifact names the subset it reads (servingFeatures selects it).
  const baselineMaeMs = (baselineMae / nVal) * 1000;
  return {
    artifact: encodeServingArtifact(predictor, reference),
    artifactFormat: DURATION_SERVING_FORMAT,
    features: [...DURATION_FEATURE_NAMES],
    metrics: {
      validationMaeMs,
      baselineMaeMs,
      maeRatioToBaseline: baselineMaeMs > 0 ? validationMaeMs / baselineMaeMs : 0,
      medianShapeMaeMs: (baselineAbs.medianShape / nVal) * 1000,
      medianJobMaeMs: (baselineAbs.medianJob / nVal) * 1000,
      movingAverageMaeMs: (baselineAbs.movingAverage / nVal) * 1000,
      ...(production ? { productionMaeMs: (productionAbs / nVal) * 1000 } : {}),
      validationMape: ape / nVal,
      p90Coverage: covered / nVal,
      trainExamples: nTrain,
      validationExamples: nVal,
      ...importance,
    },
    trainingWindow: { from: new Date(data.createTimes[0] * 1000).toISOString(), to: new Date(data.createTimes[data.rows - 1] * 1000).toISOString() },
    reference,
  };
}

/**
 * Global importance of a trained version on its validation rows: permutation importance of the p50 (increase
 * of the MAE in seconds when a column is shuffled, seeded) and mean |TreeSHAP| of the central model (log1p
 * seconds), encoded as the version's `importance.*` metrics.
 */
function versionImportance(predictor: DurationPredictor, valX: FeatureMatrix, actualSeconds: Float64Array, repeats: number): Record<string, number> {
  const p50 = new Float64Array(valX.rows);
  const p90 = new Float64Array(valX.rows);
  const permutation = permutationImportance(
    (x) => {
      predictor.predictInto(x, p50, p90);
      return p50;
    },
    valX,
    actualSeconds,
    { repeats, seed: 1 },
  );
  const shap = meanAbsoluteShap(TreeShapExplainer.fromJSON(predictor.toJSON().central), valX);
  return importanceToMetrics(predictor.featureNames, permutation, valX.rows, shap);
}

/** Feature vectors of the finished examples created at or after `sinceMs`, replayed with their history. */
export function platformFeatureRows(records: readonly PlatformTaskRecord[], sinceMs: number): Float64Array[] {
  const data = buildDurationDataset(records.map(toTraceTask), { trainFraction: 1, baselineWindows: [1], historyLength: 1 });
  const out: Float64Array[] = [];
  for (let r = 0; r < data.rows; r++) {
    if (data.createTimes[r] * 1000 >= sinceMs) out.push(data.features.slice(r * data.cols, (r + 1) * data.cols));
  }
  return out;
}

/**
 * The feature state a serving replica keeps in memory: warmed from history, then fed with the task
 * events it sees. Features for a queued task are read at its create time. Bounded for a replica that
 * runs for months: at most `maxRunning` unfinished tasks (the oldest is let go as ended without a real
 * duration), and the duration baselines keep the last `maxHistory` durations per bag (the history a
 * resync reads, ANALYZER_HISTORY_ROWS, is the natural value).
 */
interface ResyncEvent {
  t: number;
  kind: 0 | 1;
  r: PlatformTaskRecord;
}

/** History as arrivals and ends in time order (ends only once past `nowMs`). */
function resyncEvents(records: readonly PlatformTaskRecord[], nowMs: number): ResyncEvent[] {
  const events: ResyncEvent[] = [];
  for (const r of records) {
    events.push({ t: r.createdAtMs, kind: 0, r });
    if (r.finishedAtMs !== null && r.finishedAtMs <= nowMs) events.push({ t: Math.max(r.finishedAtMs, r.createdAtMs), kind: 1, r });
  }
  // Arrivals before ends at the same instant: a completion is visible only to tasks created after it
  // (the same causality as the trace replay in buildDurationDataset).
  events.sort((a, b) => a.t - b.t || a.kind - b.kind);
  return events;
}

export class LiveDurationFeatures {
  private state: DurationFeatureState;
  private running = new Map<string, DurationTaskSpec>();
  /** While `resyncInSlices` builds a new state: the live calls it must replay onto it before the swap. */
  private staging: Array<{ queued: true; taskId: string; spec: DurationTaskSpec } | { queued: false; taskId: string; finishedAtMs: number; succeeded: boolean }> | null = null;

  constructor(
    private readonly maxRunning = 50_000,
    private readonly maxHistory = 20_000,
  ) {
    this.state = this.fresh();
  }

  private fresh(): DurationFeatureState {
    return new DurationFeatureState(1, { maxPerBag: this.maxHistory });
  }

  /** Tasks seen queued and not yet finished (tests and status read it). */
  get runningCount(): number {
    return this.running.size;
  }

  /** The feature state (tests read its sizes). */
  get featureState(): DurationFeatureState {
    return this.state;
  }

  /** Rebuilds the state from history (time order, ends only once they are past `nowMs`). */
  resync(records: readonly PlatformTaskRecord[], nowMs: number): void {
    this.state = this.fresh();
    this.running.clear();
    for (const e of resyncEvents(records, nowMs)) this.apply(e);
  }

  /**
   * `resync` for a serving process: the new state is built aside, `sliceSize` events per turn of the event
   * loop (20,000 rows took 100–640 ms in one piece, a stall every resync for the timers and requests sharing the
   * thread), while this one keeps answering; live calls made meanwhile are replayed onto it before the swap.
   */
  async resyncInSlices(records: readonly PlatformTaskRecord[], nowMs: number, sliceSize = 250): Promise<void> {
    if (this.staging) return; // one at a time: the running one already covers this history
    const staged = new LiveDurationFeatures(this.maxRunning, this.maxHistory);
    const log: NonNullable<LiveDurationFeatures['staging']> = [];
    this.staging = log;
    try {
      const events = resyncEvents(records, nowMs);
      for (let i = 0; i < events.length; i++) {
        staged.apply(events[i]);
        if (i % sliceSize === sliceSize - 1) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.staging = null;
    }
    for (const c of log) {
      if (c.queued) staged.observeQueued(c.taskId, c.spec);
      else staged.observeFinished(c.taskId, c.finishedAtMs, c.succeeded);
    }
    this.state = staged.state;
    this.running = staged.running;
  }

  private apply(e: ResyncEvent): void {
    if (e.kind === 0) this.observeQueued(e.r.taskId, toDurationSpec(e.r));
    else this.observeFinished(e.r.taskId, e.r.finishedAtMs as number, e.r.succeeded);
  }

  observeQueued(taskId: string, spec: DurationTaskSpec): void {
    this.staging?.push({ queued: true, taskId, spec });
    if (this.running.has(taskId)) return;
    if (this.running.size >= this.maxRunning) {
      // Its end never came (cancelled, or lost to this replica): it leaves the running counts, with no duration.
      const [oldest, old] = this.running.entries().next().value as [string, DurationTaskSpec];
      this.running.delete(oldest);
      this.state.observeEnd(old, old.createTime, false);
    }
    this.running.set(taskId, spec);
    this.state.observeArrival(spec);
  }

  /** Unknown tasks (queued before this replica's view) are ignored. */
  observeFinished(taskId: string, finishedAtMs: number, succeeded: boolean): void {
    this.staging?.push({ queued: false, taskId, finishedAtMs, succeeded });
    const spec = this.running.get(taskId);
    if (!spec) return;
    this.running.delete(taskId);
    this.state.observeEnd(spec, Math.max(spec.createTime, finishedAtMs / 1000), succeeded);
  }

  features(spec: DurationTaskSpec): Float64Array {
    return this.state.features(spec);
  }
}

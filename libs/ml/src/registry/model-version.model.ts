/** Lifecycle: candidate → production → archived; archived → production only through rollback. */
export type ModelStage = 'candidate' | 'production' | 'archived';

export const MODEL_STAGES: readonly ModelStage[] = ['candidate', 'production', 'archived'];

/** Wall clock injected into the registry so tests and replays control timestamps. */
export interface RegistryClock {
  now(): Date;
}

export const systemRegistryClock: RegistryClock = { now: () => new Date() };

/** Time span of the history a model was trained on, ISO-8601 instants, `from` ≤ `to`. */
export interface TrainingWindow {
  readonly from: string;
  readonly to: string;
}

/**
 * Evaluation figures at registration time, e.g. { maeMs: 1234, mape: 0.21 }; all finite numbers. Keys starting
 * with IMPORTANCE_METRIC_PREFIX hold the version's feature importances (explain/feature-importance.metrics.ts);
 * versions registered without them simply lack those keys.
 */
export type ModelMetrics = Readonly<Record<string, number>>;

export const IMPORTANCE_METRIC_PREFIX = 'importance.';

/** Where the serialised model lives: content-addressed by its SHA-256 (lower-case hex). */
export interface ArtifactRef {
  readonly checksum: string;
  readonly sizeBytes: number;
}

/**
 * One registered model version. Everything but `stage`/`stageChangedAt` is fixed at registration;
 * stores only ever change the stage, through a recorded `StageChange`.
 */
export interface ModelVersion {
  readonly name: string;
  /** 1, 2, 3 … per name, never reused. */
  readonly version: number;
  readonly stage: ModelStage;
  readonly metrics: ModelMetrics;
  readonly trainingWindow: TrainingWindow;
  /** Ordered input feature names; the model reads its input vector in this order. */
  readonly features: readonly string[];
  /** `featureSchemaHash(features)`; a serving path with another hash must not feed this model. */
  readonly featureSchemaHash: string;
  /** tfjs backend (or other runtime) the model was trained on, e.g. 'tensorflow', 'wasm', 'cpu'. */
  readonly backend: string;
  readonly artifact: ArtifactRef;
  /** Free-form artifact format tag for the loader, e.g. 'gbdt-json/1', 'tfjs-layers/1'. */
  readonly artifactFormat: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly notes?: string;
  readonly stageChangedAt: string;
}

export type StageChangeReason = 'register' | 'promote' | 'rollback' | 'archive';

/** What the deploy gate said about a promotion, kept in the audit trail. */
export interface StageChangeGateAudit {
  readonly deployable: boolean;
  /** True when the gate refused and the promotion was forced. */
  readonly forced: boolean;
  /** The operator's reason for forcing (required when forced). */
  readonly forceReason?: string;
  /** The gate's verdict in words (which metric, by how much). */
  readonly summary: string;
}

/**
 * Append-only audit record of one stage move; `from` is null for registration. A forced promotion's note
 * starts with "FORCED:" and carries the reason and the gate's verdict, so stores that keep only `by`/`note`
 * still keep who and why.
 */
export interface StageChange {
  readonly version: number;
  readonly from: ModelStage | null;
  readonly to: ModelStage;
  readonly reason: StageChangeReason;
  readonly at: string;
  readonly by: string;
  readonly note?: string;
  readonly gate?: StageChangeGateAudit;
}

/**
 * Everything the store holds for one model name. `revision` increases by one per committed
 * mutation; it is the optimistic-concurrency token and what hot-swapping replicas poll.
 */
export interface ModelSnapshot {
  readonly name: string;
  readonly revision: number;
  readonly versions: readonly ModelVersion[];
  readonly history: readonly StageChange[];
}

/** What a training run hands to `ModelRegistry.register`. */
export interface TrainResult {
  readonly name: string;
  readonly artifact: Uint8Array;
  readonly artifactFormat: string;
  readonly metrics: ModelMetrics;
  readonly trainingWindow: TrainingWindow;
  readonly features: readonly string[];
  readonly backend: string;
  readonly createdBy: string;
  readonly notes?: string;
}

/** Who asked for a stage change and why; lands in the history. */
export interface StageChangeActor {
  readonly by: string;
  readonly note?: string;
}

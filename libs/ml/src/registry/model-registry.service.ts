import { DeployGateError, evaluateDeployGate, type DeployGatePolicy } from './deploy-gate.policy';
import { artifactChecksum, featureSchemaHash } from './feature-schema.hash';
import { assertModelName } from './model-name.policy';
import { isModelRegistryError, ModelRegistryError } from './model-registry.errors';
import type { ModelMutation, ModelStore } from './model-store.port';
import {
  systemRegistryClock,
  type ModelSnapshot,
  type ModelStage,
  type ModelVersion,
  type RegistryClock,
  type StageChange,
  type StageChangeActor,
  type StageChangeGateAudit,
  type StageChangeReason,
  type TrainResult,
} from './model-version.model';
import { isLegalStageTransition, productionStack } from './stage-transition.policy';

export interface ModelRegistryOptions {
  readonly store: ModelStore;
  readonly clock?: RegistryClock;
  /** Registration is additive, so a revision conflict is retried this many times with a fresh read. */
  readonly registerRetries?: number;
}

export interface PromoteOptions extends StageChangeActor {
  /** Refuse (FEATURE_SCHEMA_MISMATCH) unless the candidate reads the same features as the current production. */
  readonly requireSameFeatureSchema?: boolean;
  /**
   * Apply the deploy gate: refuse (DeployGateError DEPLOY_GATE_REFUSED) unless the candidate beats the
   * production version and the strongest baseline by the policy's margins.
   */
  readonly gate?: DeployGatePolicy;
  /** Deploy even though the gate refuses; the reason is required and kept in the stage history. */
  readonly force?: { readonly reason: string };
}

/** A version's record with its verified artifact bytes. */
export interface LoadedModelArtifact {
  readonly version: ModelVersion;
  readonly bytes: Uint8Array;
}

/** The read side that ProductionModelCache needs; ModelRegistry implements it. */
export interface ProductionModelSource {
  revision(name: string): Promise<number>;
  getProduction(name: string): Promise<ModelVersion | undefined>;
  loadArtifact(name: string, version: number, expectedFeatures?: readonly string[]): Promise<LoadedModelArtifact>;
}

/**
 * Model registry domain service: immutable versions, stage lifecycle, rollback, verified artifact
 * loads. Every write is one optimistic-concurrency commit against the store, so two replicas acting
 * on the same stale state cannot both succeed; stage moves are not retried on conflict because the
 * decision was made on state that no longer holds.
 */
export class ModelRegistry implements ProductionModelSource {
  private readonly store: ModelStore;
  private readonly clock: RegistryClock;
  private readonly registerRetries: number;

  constructor(options: ModelRegistryOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemRegistryClock;
    this.registerRetries = options.registerRetries ?? 5;
  }

  /** Stores the artifact and records a new candidate version (max + 1). */
  async register(result: TrainResult): Promise<ModelVersion> {
    validateTrainResult(result);
    const artifact = await this.store.putArtifact(result.artifact);
    for (let attempt = 0; ; attempt++) {
      const snapshot = await this.loadOrEmpty(result.name);
      const at = this.clock.now().toISOString();
      const added: ModelVersion = {
        name: result.name,
        version: snapshot.versions.length + 1,
        stage: 'candidate',
        metrics: { ...result.metrics },
        trainingWindow: { from: result.trainingWindow.from, to: result.trainingWindow.to },
        features: [...result.features],
        featureSchemaHash: featureSchemaHash(result.features),
        backend: result.backend,
        artifact,
        artifactFormat: result.artifactFormat,
        createdAt: at,
        createdBy: result.createdBy,
        ...(result.notes !== undefined ? { notes: result.notes } : {}),
        stageChangedAt: at,
      };
      const mutation: ModelMutation = {
        added,
        stageChanges: [
          change(added.version, null, 'candidate', 'register', at, { by: result.createdBy, note: result.notes }),
        ],
      };
      try {
        const next = await this.store.commit(result.name, snapshot.revision, mutation);
        return findVersion(next, added.version);
      } catch (error) {
        if (!isModelRegistryError(error, 'REVISION_CONFLICT') || attempt >= this.registerRetries) throw error;
      }
    }
  }

  /**
   * candidate → production; the previous production version (if any) → archived, in one commit.
   * Promoting the version that is already production is a no-op, so a retried deploy request is safe.
   */
  async promote(name: string, version: number, options: PromoteOptions): Promise<ModelVersion> {
    const snapshot = await this.requireSnapshot(name);
    const target = findVersion(snapshot, version);
    if (target.stage === 'production') return target;
    assertTransition(target, 'production', 'promote');
    const current = snapshot.versions.find((v) => v.stage === 'production');
    if (options.requireSameFeatureSchema && current && current.featureSchemaHash !== target.featureSchemaHash) {
      throw featureSchemaMismatch(target, current.features);
    }
    let audit: StageChangeGateAudit | undefined;
    let note = options.note;
    if (options.force !== undefined && !(options.force.reason ?? '').trim()) {
      throw new DeployGateError('FORCE_REASON_REQUIRED', `forcing ${name}@${version} into production needs a reason for the audit trail`);
    }
    if (options.gate) {
      const verdict = evaluateDeployGate(target, current, options.gate);
      if (!verdict.deployable && options.force === undefined) throw new DeployGateError('DEPLOY_GATE_REFUSED', verdict.summary, verdict);
      const forced = !verdict.deployable;
      const forceReason = forced ? options.force?.reason.trim() : undefined;
      audit = { deployable: verdict.deployable, forced, ...(forceReason !== undefined ? { forceReason } : {}), summary: verdict.summary };
      if (forced) note = `FORCED: ${forceReason} | ${verdict.summary}${options.note ? ` | ${options.note}` : ''}`;
    } else if (options.force !== undefined) {
      audit = { deployable: false, forced: true, forceReason: options.force.reason.trim(), summary: 'deploy gate not evaluated' };
      note = `FORCED: ${options.force.reason.trim()}${options.note ? ` | ${options.note}` : ''}`;
    }
    const actor = { by: options.by, note };
    const at = this.clock.now().toISOString();
    const stageChanges: StageChange[] = [];
    if (current) stageChanges.push(change(current.version, 'production', 'archived', 'promote', at, actor));
    stageChanges.push({ ...change(version, 'candidate', 'production', 'promote', at, actor), ...(audit ? { gate: audit } : {}) });
    const next = await this.store.commit(name, snapshot.revision, { stageChanges });
    return findVersion(next, version);
  }

  /** Current production → archived and the version that was production before it → production. */
  async rollback(name: string, actor: StageChangeActor): Promise<ModelVersion> {
    const snapshot = await this.requireSnapshot(name);
    const stack = productionStack(snapshot.history);
    const current = snapshot.versions.find((v) => v.stage === 'production');
    if (!current) {
      throw new ModelRegistryError('NO_PRODUCTION_VERSION', `model ${name} has no production version to roll back`, { name });
    }
    if (stack.length < 2 || stack[stack.length - 1] !== current.version) {
      throw new ModelRegistryError(
        'NO_ROLLBACK_TARGET',
        `model ${name}@${current.version} is production and no earlier production version remains to roll back to`,
        { name, version: current.version },
      );
    }
    const target = findVersion(snapshot, stack[stack.length - 2]);
    assertTransition(target, 'production', 'rollback');
    const at = this.clock.now().toISOString();
    const next = await this.store.commit(name, snapshot.revision, {
      stageChanges: [
        change(current.version, 'production', 'archived', 'rollback', at, actor),
        change(target.version, 'archived', 'production', 'rollback', at, actor),
      ],
    });
    return findVersion(next, target.version);
  }

  /** candidate → archived (a candidate that will not be deployed). Archiving an archived version is a no-op. */
  async archive(name: string, version: number, actor: StageChangeActor): Promise<ModelVersion> {
    const snapshot = await this.requireSnapshot(name);
    const target = findVersion(snapshot, version);
    if (target.stage === 'archived') return target;
    assertTransition(target, 'archived', 'archive');
    const at = this.clock.now().toISOString();
    const next = await this.store.commit(name, snapshot.revision, {
      stageChanges: [change(version, target.stage, 'archived', 'archive', at, actor)],
    });
    return findVersion(next, version);
  }

  async listNames(): Promise<string[]> {
    return this.store.listNames();
  }

  /** All versions of `name`, oldest first, optionally only one stage; [] for an unknown name. */
  async list(name: string, stage?: ModelStage): Promise<ModelVersion[]> {
    assertModelName(name);
    const versions = (await this.store.load(name))?.versions ?? [];
    return versions.filter((v) => stage === undefined || v.stage === stage);
  }

  async get(name: string, version: number): Promise<ModelVersion> {
    return findVersion(await this.requireSnapshot(name), version);
  }

  async getProduction(name: string): Promise<ModelVersion | undefined> {
    assertModelName(name);
    return (await this.store.load(name))?.versions.find((v) => v.stage === 'production');
  }

  async requireProduction(name: string): Promise<ModelVersion> {
    const production = await this.getProduction(name);
    if (!production) throw new ModelRegistryError('NO_PRODUCTION_VERSION', `model ${name} has no production version`, { name });
    return production;
  }

  /** The audit trail of stage moves, oldest first. */
  async history(name: string): Promise<readonly StageChange[]> {
    return (await this.requireSnapshot(name)).history;
  }

  async revision(name: string): Promise<number> {
    assertModelName(name);
    return this.store.revision(name);
  }

  /**
   * The version's artifact, re-hashed against the checksum and size recorded at registration
   * (independently of whatever the store checked). With `expectedFeatures`, also refuses a model
   * whose feature schema differs from what the caller will feed it.
   */
  async loadArtifact(name: string, version: number, expectedFeatures?: readonly string[]): Promise<LoadedModelArtifact> {
    const record = await this.get(name, version);
    if (expectedFeatures && featureSchemaHash(expectedFeatures) !== record.featureSchemaHash) {
      throw featureSchemaMismatch(record, expectedFeatures);
    }
    const bytes = await this.store.getArtifact(record.artifact.checksum);
    const actual = artifactChecksum(bytes);
    if (actual !== record.artifact.checksum || bytes.byteLength !== record.artifact.sizeBytes) {
      throw new ModelRegistryError(
        'CHECKSUM_MISMATCH',
        `artifact of ${name}@${version}: got ${bytes.byteLength} bytes with SHA-256 ${actual}, recorded ${record.artifact.sizeBytes} bytes with ${record.artifact.checksum}`,
        { name, version, expected: record.artifact.checksum, actual },
      );
    }
    return { version: record, bytes };
  }

  async loadProduction(name: string, expectedFeatures?: readonly string[]): Promise<LoadedModelArtifact> {
    const production = await this.requireProduction(name);
    return this.loadArtifact(name, production.version, expectedFeatures);
  }

  private async loadOrEmpty(name: string): Promise<ModelSnapshot> {
    return (await this.store.load(name)) ?? { name, revision: 0, versions: [], history: [] };
  }

  private async requireSnapshot(name: string): Promise<ModelSnapshot> {
    assertModelName(name);
    const snapshot = await this.store.load(name);
    if (!snapshot || snapshot.versions.length === 0) {
      throw new ModelRegistryError('MODEL_NOT_FOUND', `no model registered under ${JSON.stringify(name)}`, { name });
    }
    return snapshot;
  }
}

function change(
  version: number,
  from: ModelStage | null,
  to: ModelStage,
  reason: StageChangeReason,
  at: string,
  actor: { readonly by: string; readonly note?: string | undefined },
): StageChange {
  return { version, from, to, reason, at, by: actor.by, ...(actor.note !== undefined ? { note: actor.note } : {}) };
}

function findVersion(snapshot: ModelSnapshot, version: number): ModelVersion {
  const found = snapshot.versions.find((v) => v.version === version);
  if (!found) {
    throw new ModelRegistryError(
      'VERSION_NOT_FOUND',
      `model ${snapshot.name} has no version ${version} (versions 1..${snapshot.versions.length})`,
      { name: snapshot.name, version },
    );
  }
  return found;
}

function assertTransition(version: ModelVersion, to: ModelStage, reason: StageChangeReason): void {
  if (!isLegalStageTransition(version.stage, to, reason)) {
    throw new ModelRegistryError(
      'ILLEGAL_STAGE_TRANSITION',
      `${reason} cannot move ${version.name}@${version.version} from ${version.stage} to ${to}`,
      { name: version.name, version: version.version, from: version.stage, to },
    );
  }
}

function featureSchemaMismatch(record: ModelVersion, expected: readonly string[]): ModelRegistryError {
  return new ModelRegistryError(
    'FEATURE_SCHEMA_MISMATCH',
    `${record.name}@${record.version} reads [${record.features.join(', ')}] but the caller has [${expected.join(', ')}]`,
    { name: record.name, version: record.version, expected: featureSchemaHash(expected), actual: record.featureSchemaHash },
  );
}

function validateTrainResult(result: TrainResult): void {
  assertModelName(result.name);
  const fail = (field: string, problem: string): never => {
    throw new ModelRegistryError('INVALID_TRAIN_RESULT', `train result for ${result.name}: ${field} ${problem}`, {
      name: result.name,
      field,
    });
  };
  if (!(result.artifact instanceof Uint8Array) || result.artifact.byteLength === 0) fail('artifact', 'must be non-empty bytes');
  if (!result.artifactFormat) fail('artifactFormat', 'must be non-empty');
  if (!result.backend) fail('backend', 'must be non-empty');
  if (!result.createdBy) fail('createdBy', 'must be non-empty');
  for (const [key, value] of Object.entries(result.metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`metrics.${key}`, `must be a finite number, got ${String(value)}`);
  }
  const from = Date.parse(result.trainingWindow.from);
  const to = Date.parse(result.trainingWindow.to);
  if (Number.isNaN(from)) fail('trainingWindow.from', `is not an ISO-8601 instant: ${JSON.stringify(result.trainingWindow.from)}`);
  if (Number.isNaN(to)) fail('trainingWindow.to', `is not an ISO-8601 instant: ${JSON.stringify(result.trainingWindow.to)}`);
  if (from > to) fail('trainingWindow', `has from (${result.trainingWindow.from}) after to (${result.trainingWindow.to})`);
  if (result.features.length === 0) fail('features', 'must list at least one feature');
  const seen = new Set<string>();
  result.features.forEach((f, i) => {
    if (typeof f !== 'string' || f.length === 0) fail(`features[${i}]`, 'must be a non-empty string');
    if (seen.has(f)) fail(`features[${i}]`, `repeats ${JSON.stringify(f)}`);
    seen.add(f);
  });
}

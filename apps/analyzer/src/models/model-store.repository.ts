import { artifactChecksum, ModelRegistryError, applyModelMutation, emptySnapshot, revisionConflict } from '@kairos/ml';
import type { ArtifactRef, ModelMutation, ModelSnapshot, ModelStage, ModelStore, ModelVersion, StageChange, StageChangeGateAudit, StageChangeReason } from '@kairos/ml';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database, type SqlExecutor } from '@kairos/persistence';

/** libs/ml's ModelStore port, bound to this PostgreSQL adapter in the analyzer. */
export const MODEL_STORE = Symbol('MODEL_STORE');

interface VersionRow {
  name: string;
  version: number;
  stage: ModelStage;
  metrics: Record<string, number>;
  training_from: Date | string;
  training_to: Date | string;
  features: string[];
  feature_schema_hash: string;
  backend: string;
  checksum: string;
  size_bytes: number;
  artifact_format: string;
  created_by: string;
  notes: string | null;
  created_at: Date | string;
  stage_changed_at: Date | string;
}

interface ChangeRow {
  version: number;
  from_stage: ModelStage | null;
  to_stage: ModelStage;
  reason: StageChangeReason;
  at: Date | string;
  by: string;
  note: string | null;
  gate: StageChangeGateAudit | null;
}

const iso = (v: Date | string): string => new Date(v).toISOString();

/**
 * The registry's ModelStore in PostgreSQL (server or PGlite): a row per name whose `revision` is the
 * optimistic-concurrency token (`UPDATE … WHERE revision = $expected`), immutable version rows, an
 * append-only stage history and content-addressed artifact bytes (bytea). Every commit re-applies
 * the mutation through libs/ml's reducer, so this adapter enforces the same invariants as the others.
 */
@Injectable()
export class PgModelStore implements ModelStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async listNames(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(`SELECT name FROM model_registry ORDER BY name`);
    return rows.map((r) => r.name);
  }

  async load(name: string): Promise<ModelSnapshot | undefined> {
    return this.db.transaction((tx) => this.read(tx, name));
  }

  async revision(name: string): Promise<number> {
    const rows = await this.db.query<{ revision: number }>(`SELECT revision FROM model_registry WHERE name = $1`, [name]);
    return rows[0]?.revision ?? 0;
  }

  async commit(name: string, expectedRevision: number, mutation: ModelMutation): Promise<ModelSnapshot> {
    return this.db.transaction(async (tx) => {
      if (expectedRevision === 0) {
        await tx.query(`INSERT INTO model_registry (name, revision) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [name]);
      }
      // Locks the name's row: concurrent commits on the same name serialise here and the loser sees a new revision.
      const locked = await tx.query<{ revision: number }>(`SELECT revision FROM model_registry WHERE name = $1 FOR UPDATE`, [name]);
      const actual = locked[0]?.revision ?? 0;
      if (actual !== expectedRevision) throw revisionConflict(name, expectedRevision, actual);
      const current = (await this.read(tx, name)) ?? emptySnapshot(name);
      const next = applyModelMutation(current, mutation);
      if (mutation.added) await insertVersion(tx, mutation.added);
      let seq = current.history.length;
      for (const change of mutation.stageChanges) {
        const after = next.versions.find((v) => v.version === change.version) as ModelVersion;
        await tx.query(`UPDATE model_versions SET stage = $3, stage_changed_at = $4 WHERE name = $1 AND version = $2`, [name, change.version, after.stage, after.stageChangedAt]);
        await tx.query(
          `INSERT INTO model_stage_changes (name, seq, version, from_stage, to_stage, reason, at, by, note, gate) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
          [name, ++seq, change.version, change.from, change.to, change.reason, change.at, change.by, change.note ?? null, change.gate ? JSON.stringify(change.gate) : null],
        );
      }
      await tx.query(`UPDATE model_registry SET revision = $2, updated_at = now() WHERE name = $1`, [name, next.revision]);
      return next;
    });
  }

  async putArtifact(bytes: Uint8Array): Promise<ArtifactRef> {
    const checksum = artifactChecksum(bytes);
    await this.db.query(`INSERT INTO model_artifacts (checksum, size_bytes, bytes) VALUES ($1, $2, $3) ON CONFLICT (checksum) DO NOTHING`, [
      checksum,
      bytes.byteLength,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    ]);
    return { checksum, sizeBytes: bytes.byteLength };
  }

  async getArtifact(checksum: string): Promise<Uint8Array> {
    const rows = await this.db.query<{ bytes: Uint8Array | string }>(`SELECT bytes FROM model_artifacts WHERE checksum = $1`, [checksum]);
    if (!rows.length) throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact ${checksum} not in model_artifacts`, { checksum });
    const bytes = toBytes(rows[0].bytes);
    const actual = artifactChecksum(bytes);
    if (actual !== checksum) throw new ModelRegistryError('CHECKSUM_MISMATCH', `artifact ${checksum} has checksum ${actual}`, { checksum, actual });
    return bytes;
  }

  private async read(tx: SqlExecutor, name: string): Promise<ModelSnapshot | undefined> {
    const head = await tx.query<{ revision: number }>(`SELECT revision FROM model_registry WHERE name = $1`, [name]);
    if (!head.length) return undefined;
    const versions = await tx.query<VersionRow>(`SELECT * FROM model_versions WHERE name = $1 ORDER BY version`, [name]);
    const changes = await tx.query<ChangeRow>(`SELECT version, from_stage, to_stage, reason, at, by, note, gate FROM model_stage_changes WHERE name = $1 ORDER BY seq`, [name]);
    return { name, revision: head[0].revision, versions: versions.map(toVersion), history: changes.map(toChange) };
  }
}

async function insertVersion(tx: SqlExecutor, v: ModelVersion): Promise<void> {
  await tx.query(
    `INSERT INTO model_versions (name, version, stage, metrics, training_from, training_to, features, feature_schema_hash, backend, checksum, size_bytes,
       artifact_format, created_by, notes, created_at, stage_changed_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      v.name,
      v.version,
      v.stage,
      JSON.stringify(v.metrics),
      v.trainingWindow.from,
      v.trainingWindow.to,
      JSON.stringify(v.features),
      v.featureSchemaHash,
      v.backend,
      v.artifact.checksum,
      v.artifact.sizeBytes,
      v.artifactFormat,
      v.createdBy,
      v.notes ?? null,
      v.createdAt,
      v.stageChangedAt,
    ],
  );
}

function toVersion(r: VersionRow): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    stage: r.stage,
    metrics: r.metrics,
    trainingWindow: { from: iso(r.training_from), to: iso(r.training_to) },
    features: r.features,
    featureSchemaHash: r.feature_schema_hash,
    backend: r.backend,
    artifact: { checksum: r.checksum, sizeBytes: r.size_bytes },
    artifactFormat: r.artifact_format,
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    ...(r.notes !== null ? { notes: r.notes } : {}),
    stageChangedAt: iso(r.stage_changed_at),
  };
}

function toChange(r: ChangeRow): StageChange {
  return { version: r.version, from: r.from_stage, to: r.to_stage, reason: r.reason, at: iso(r.at), by: r.by, ...(r.note !== null ? { note: r.note } : {}), ...(r.gate !== null ? { gate: r.gate } : {}) };
}

/** pg gives a Buffer, PGlite a Uint8Array; a text-mode driver would give '\x…' hex. */
function toBytes(v: Uint8Array | string): Uint8Array {
  if (typeof v === 'string') return Uint8Array.from(Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex'));
  return Uint8Array.from(v);
}

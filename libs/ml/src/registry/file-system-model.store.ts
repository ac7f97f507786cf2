import { artifactChecksum, isSha256Hex } from './feature-schema.hash';
import { revisionConflict } from './in-memory-model.store';
import { assertModelName } from './model-name.policy';
import { ModelRegistryError } from './model-registry.errors';
import { applyModelMutation, emptySnapshot } from './model-snapshot.reducer';
import type { ModelMutation, ModelStore } from './model-store.port';
import { MODEL_STAGES, type ArtifactRef, type ModelSnapshot, type ModelStage } from './model-version.model';
import type { RegistryFiles } from './registry-files.port';

export interface FileSystemModelStoreOptions {
  /** How long `commit` waits for another writer's lock before STORE_BUSY. */
  readonly lockTimeoutMs?: number;
  /** A lock file older than this is taken to belong to a crashed writer and is broken. */
  readonly staleLockMs?: number;
}

const SNAPSHOT_FORMAT = 'kairos-model-registry/1';

/**
 * ModelStore in a directory: `models/<name>.json` (snapshot + revision) and
 * `artifacts/<sha256>.bin`. Writers serialise on `models/<name>.lock` (O_EXCL create) and replace
 * the snapshot by write-then-rename, so readers never see a half-written file and two processes
 * sharing the directory get the same optimistic-concurrency guarantee as the database adapter.
 * Artifact bytes are re-hashed on every read. File access goes through the RegistryFiles port
 * (adapters/node-registry-files.adapter.ts on Node), so this core imports no node:fs.
 */
export class FileSystemModelStore implements ModelStore {
  private readonly modelsDir: string;
  private readonly artifactsDir: string;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;

  constructor(
    readonly rootDir: string,
    private readonly files: RegistryFiles,
    options: FileSystemModelStoreOptions = {},
  ) {
    this.modelsDir = files.join(rootDir, 'models');
    this.artifactsDir = files.join(rootDir, 'artifacts');
    this.lockTimeoutMs = options.lockTimeoutMs ?? 2_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  async listNames(): Promise<string[]> {
    const entries = await this.files.list(this.modelsDir);
    return entries
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  }

  async load(name: string): Promise<ModelSnapshot | undefined> {
    assertModelName(name);
    return this.readSnapshot(name);
  }

  async revision(name: string): Promise<number> {
    return (await this.load(name))?.revision ?? 0;
  }

  async commit(name: string, expectedRevision: number, mutation: ModelMutation): Promise<ModelSnapshot> {
    assertModelName(name);
    await this.files.ensureDir(this.modelsDir);
    const release = await this.lock(name);
    try {
      const current = (await this.readSnapshot(name)) ?? emptySnapshot(name);
      if (current.revision !== expectedRevision) throw revisionConflict(name, expectedRevision, current.revision);
      const next = applyModelMutation(current, mutation);
      await this.files.writeAtomically(this.snapshotPath(name), JSON.stringify({ format: SNAPSHOT_FORMAT, snapshot: next }, null, 2));
      return next;
    } finally {
      await release();
    }
  }

  async putArtifact(bytes: Uint8Array): Promise<ArtifactRef> {
    const checksum = artifactChecksum(bytes);
    await this.files.ensureDir(this.artifactsDir);
    const path = this.artifactPath(checksum);
    // Re-put repairs a rotten copy instead of trusting that an existing file is intact.
    const existing = await this.files.read(path);
    if (!existing || artifactChecksum(existing) !== checksum) await this.files.writeAtomically(path, bytes);
    return { checksum, sizeBytes: bytes.byteLength };
  }

  async getArtifact(checksum: string): Promise<Uint8Array> {
    if (!isSha256Hex(checksum)) {
      throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact id ${JSON.stringify(checksum)} is not a SHA-256 hex digest`, {
        checksum,
      });
    }
    const path = this.artifactPath(checksum);
    const bytes = await this.files.read(path);
    if (!bytes) throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact file ${path} does not exist`, { checksum, path });
    const actual = artifactChecksum(bytes);
    if (actual !== checksum) {
      throw new ModelRegistryError('CHECKSUM_MISMATCH', `artifact file ${path} has SHA-256 ${actual}, expected ${checksum}`, {
        checksum,
        actual,
        path,
      });
    }
    return bytes;
  }

  snapshotPath(name: string): string {
    return this.files.join(this.modelsDir, `${name}.json`);
  }

  artifactPath(checksum: string): string {
    return this.files.join(this.artifactsDir, `${checksum}.bin`);
  }

  private async readSnapshot(name: string): Promise<ModelSnapshot | undefined> {
    const path = this.snapshotPath(name);
    const bytes = await this.files.read(path);
    if (!bytes) return undefined;
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ModelRegistryError('STORE_CORRUPT', `${path}: not valid JSON (${(error as Error).message})`, { path });
    }
    return parseStoredSnapshot(json, name, path);
  }

  private async lock(name: string): Promise<() => Promise<void>> {
    const path = this.files.join(this.modelsDir, `${name}.lock`);
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (await this.files.createExclusive(path, `${process.pid}\n`)) {
        return async () => {
          await this.files.remove(path).catch(() => undefined);
        };
      }
      const age = await this.files.ageMs(path);
      if (age !== undefined && age > this.staleLockMs) {
        await this.files.remove(path).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new ModelRegistryError('STORE_BUSY', `${path} held by another writer for over ${this.lockTimeoutMs} ms`, { path });
      }
      await sleep(Math.min(50, 2 + attempt * 2));
    }
  }
}

/** Structural check of a stored snapshot file; names the file and the field on failure. */
export function parseStoredSnapshot(json: unknown, name: string, source: string): ModelSnapshot {
  const fail = (detail: string): never => {
    throw new ModelRegistryError('STORE_CORRUPT', `${source}: ${detail}`, { path: source });
  };
  if (!isRecord(json) || json['format'] !== SNAPSHOT_FORMAT) fail(`expected {"format": "${SNAPSHOT_FORMAT}", ...}`);
  const snapshot = (json as Record<string, unknown>)['snapshot'];
  if (!isRecord(snapshot)) return fail('field "snapshot" must be an object');
  if (snapshot['name'] !== name) fail(`field "snapshot.name" is ${JSON.stringify(snapshot['name'])}, expected ${JSON.stringify(name)}`);
  const revision = snapshot['revision'];
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0) fail('field "snapshot.revision" must be an integer ≥ 0');
  const versions = snapshot['versions'];
  const history = snapshot['history'];
  if (!Array.isArray(versions)) return fail('field "snapshot.versions" must be an array');
  if (!Array.isArray(history)) return fail('field "snapshot.history" must be an array');
  versions.forEach((v: unknown, i) => {
    const at = `snapshot.versions[${i}]`;
    if (!isRecord(v)) return fail(`${at} must be an object`);
    if (v['version'] !== i + 1) fail(`${at}.version must be ${i + 1}`);
    if (!MODEL_STAGES.includes(v['stage'] as ModelStage)) fail(`${at}.stage must be one of ${MODEL_STAGES.join(', ')}`);
    const artifact = v['artifact'];
    if (!isRecord(artifact) || typeof artifact['checksum'] !== 'string' || !isSha256Hex(artifact['checksum'])) {
      fail(`${at}.artifact.checksum must be a SHA-256 hex digest`);
    }
    if (!Array.isArray(v['features']) || typeof v['featureSchemaHash'] !== 'string') fail(`${at}.features/featureSchemaHash missing`);
  });
  return snapshot as unknown as ModelSnapshot;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

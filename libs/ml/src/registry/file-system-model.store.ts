import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactChecksum, isSha256Hex } from './feature-schema.hash';
import { revisionConflict } from './in-memory-model.store';
import { assertModelName } from './model-name.policy';
import { ModelRegistryError } from './model-registry.errors';
import { applyModelMutation, emptySnapshot } from './model-snapshot.reducer';
import type { ModelMutation, ModelStore } from './model-store.port';
import { MODEL_STAGES, type ArtifactRef, type ModelSnapshot, type ModelStage } from './model-version.model';

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
 * Artifact bytes are re-hashed on every read.
 */
export class FileSystemModelStore implements ModelStore {
  private readonly modelsDir: string;
  private readonly artifactsDir: string;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;
  private tmpCounter = 0;

  constructor(
    readonly rootDir: string,
    options: FileSystemModelStoreOptions = {},
  ) {
    this.modelsDir = join(rootDir, 'models');
    this.artifactsDir = join(rootDir, 'artifacts');
    this.lockTimeoutMs = options.lockTimeoutMs ?? 2_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  async listNames(): Promise<string[]> {
    const entries = await readdirOrEmpty(this.modelsDir);
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
    await mkdir(this.modelsDir, { recursive: true });
    const release = await this.lock(name);
    try {
      const current = (await this.readSnapshot(name)) ?? emptySnapshot(name);
      if (current.revision !== expectedRevision) throw revisionConflict(name, expectedRevision, current.revision);
      const next = applyModelMutation(current, mutation);
      await this.writeAtomically(this.snapshotPath(name), JSON.stringify({ format: SNAPSHOT_FORMAT, snapshot: next }, null, 2));
      return next;
    } finally {
      await release();
    }
  }

  async putArtifact(bytes: Uint8Array): Promise<ArtifactRef> {
    const checksum = artifactChecksum(bytes);
    await mkdir(this.artifactsDir, { recursive: true });
    const path = this.artifactPath(checksum);
    // Re-put repairs a rotten copy instead of trusting that an existing file is intact.
    if (!(await exists(path)) || !(await hashMatches(path, checksum))) await this.writeAtomically(path, bytes);
    return { checksum, sizeBytes: bytes.byteLength };
  }

  async getArtifact(checksum: string): Promise<Uint8Array> {
    if (!isSha256Hex(checksum)) {
      throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact id ${JSON.stringify(checksum)} is not a SHA-256 hex digest`, {
        checksum,
      });
    }
    const path = this.artifactPath(checksum);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact file ${path} does not exist`, { checksum, path });
      }
      throw error;
    }
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
    return join(this.modelsDir, `${name}.json`);
  }

  artifactPath(checksum: string): string {
    return join(this.artifactsDir, `${checksum}.bin`);
  }

  private async readSnapshot(name: string): Promise<ModelSnapshot | undefined> {
    const path = this.snapshotPath(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ModelRegistryError('STORE_CORRUPT', `${path}: not valid JSON (${(error as Error).message})`, { path });
    }
    return parseStoredSnapshot(json, name, path);
  }

  private async lock(name: string): Promise<() => Promise<void>> {
    const path = join(this.modelsDir, `${name}.lock`);
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return async () => {
          await unlink(path).catch(() => undefined);
        };
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      const age = await lockAgeMs(path);
      if (age !== undefined && age > this.staleLockMs) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new ModelRegistryError('STORE_BUSY', `${path} held by another writer for over ${this.lockTimeoutMs} ms`, { path });
      }
      await sleep(Math.min(50, 2 + attempt * 2));
    }
  }

  private async writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
    const tmp = `${path}.${process.pid}.${this.tmpCounter++}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
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

function errnoCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function hashMatches(path: string, checksum: string): Promise<boolean> {
  return artifactChecksum(new Uint8Array(await readFile(path))) === checksum;
}

async function lockAgeMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

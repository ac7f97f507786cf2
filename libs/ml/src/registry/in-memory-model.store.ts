import { artifactChecksum } from './feature-schema.hash';
import { ModelRegistryError } from './model-registry.errors';
import { applyModelMutation, emptySnapshot } from './model-snapshot.reducer';
import type { ModelMutation, ModelStore } from './model-store.port';
import type { ArtifactRef, ModelSnapshot } from './model-version.model';

/**
 * ModelStore in process memory, for tests and the single-process standalone mode. Snapshots are
 * copied in and out so callers can never mutate stored state; bytes likewise.
 */
export class InMemoryModelStore implements ModelStore {
  private readonly snapshots = new Map<string, ModelSnapshot>();
  private readonly artifacts = new Map<string, Uint8Array>();

  async listNames(): Promise<string[]> {
    return [...this.snapshots.keys()].sort();
  }

  async load(name: string): Promise<ModelSnapshot | undefined> {
    const snapshot = this.snapshots.get(name);
    return snapshot ? structuredClone(snapshot) : undefined;
  }

  async revision(name: string): Promise<number> {
    return this.snapshots.get(name)?.revision ?? 0;
  }

  async commit(name: string, expectedRevision: number, mutation: ModelMutation): Promise<ModelSnapshot> {
    const current = this.snapshots.get(name) ?? emptySnapshot(name);
    if (current.revision !== expectedRevision) {
      throw revisionConflict(name, expectedRevision, current.revision);
    }
    const next = applyModelMutation(current, structuredClone(mutation));
    this.snapshots.set(name, next);
    return structuredClone(next);
  }

  async putArtifact(bytes: Uint8Array): Promise<ArtifactRef> {
    const checksum = artifactChecksum(bytes);
    if (!this.artifacts.has(checksum)) this.artifacts.set(checksum, Uint8Array.from(bytes));
    return { checksum, sizeBytes: bytes.byteLength };
  }

  async getArtifact(checksum: string): Promise<Uint8Array> {
    const bytes = this.artifacts.get(checksum);
    if (!bytes) throw new ModelRegistryError('ARTIFACT_NOT_FOUND', `artifact ${checksum} not in store`, { checksum });
    const actual = artifactChecksum(bytes);
    if (actual !== checksum) {
      throw new ModelRegistryError('CHECKSUM_MISMATCH', `artifact ${checksum} has checksum ${actual}`, { checksum, actual });
    }
    return Uint8Array.from(bytes);
  }

  /** Test hook: overwrite stored bytes in place, as disk rot or a bad copy would. */
  tamperArtifact(checksum: string, bytes: Uint8Array): void {
    this.artifacts.set(checksum, Uint8Array.from(bytes));
  }
}

export function revisionConflict(name: string, expected: number, actual: number): ModelRegistryError {
  return new ModelRegistryError(
    'REVISION_CONFLICT',
    `model ${name} changed concurrently: expected revision ${expected}, store has ${actual}`,
    { name, expected, actual },
  );
}

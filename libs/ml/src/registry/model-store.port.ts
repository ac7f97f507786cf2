import type { ArtifactRef, ModelSnapshot, ModelVersion, StageChange } from './model-version.model';

/** One atomic change to a model name: optionally a new version, plus the stage moves it causes. */
export interface ModelMutation {
  /** A new version; its number must be exactly one above the highest so far. */
  readonly added?: ModelVersion;
  readonly stageChanges: readonly StageChange[];
}

/**
 * Persistence port of the registry. Implementations: InMemoryModelStore (tests), FileSystemModelStore
 * (a directory), and a PostgreSQL adapter in the analyzer (rows + a `revision` column updated with
 * `WHERE revision = $expected`).
 */
export interface ModelStore {
  listNames(): Promise<string[]>;
  /** Undefined when nothing was ever registered under `name`. */
  load(name: string): Promise<ModelSnapshot | undefined>;
  /** Current revision of `name`, 0 when unknown; cheap enough to poll. */
  revision(name: string): Promise<number>;
  /**
   * Applies `mutation` iff the stored revision still equals `expectedRevision`, else throws
   * ModelRegistryError('REVISION_CONFLICT'). Returns the new snapshot (revision + 1).
   */
  commit(name: string, expectedRevision: number, mutation: ModelMutation): Promise<ModelSnapshot>;
  /** Stores bytes content-addressed; idempotent for identical bytes. */
  putArtifact(bytes: Uint8Array): Promise<ArtifactRef>;
  /** Bytes whose SHA-256 equals `checksum`; ARTIFACT_NOT_FOUND or CHECKSUM_MISMATCH otherwise. */
  getArtifact(checksum: string): Promise<Uint8Array>;
}

/**
 * What FileSystemModelStore needs from a file system, as a port: the registry core imports no
 * node:fs. The Node adapter is libs/ml/src/adapters/node-registry-files.adapter.ts; tests may pass an
 * in-memory one. Paths are '/'-joined by `join`, so an adapter decides what a path means.
 */
export interface RegistryFiles {
  join(...parts: string[]): string;
  /** The bytes of a file, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** File names in a directory; [] when the directory does not exist. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its parents; no-op when it exists. */
  ensureDir(dir: string): Promise<void>;
  /** Creates the file with `data` only if it does not exist (O_EXCL); false when it existed. */
  createExclusive(path: string, data: string): Promise<boolean>;
  /** Replaces the file by write-to-temporary, fsync, rename: readers never see half a file. */
  writeAtomically(path: string, data: string | Uint8Array): Promise<void>;
  /** Removes a file; no-op when it does not exist. */
  remove(path: string): Promise<void>;
  /** Milliseconds since the file was last modified, or undefined when it does not exist. */
  ageMs(path: string): Promise<number | undefined>;
}

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/**
 * The file operations the limiter performs on cgroupfs (a fake in unit tests). Writes to control
 * files are single write(2) calls, as the kernel expects; cgroupfs files are tiny and in-kernel, so
 * synchronous calls cost microseconds.
 */
export interface CgroupFs {
  read(path: string): string;
  write(path: string, data: string): void;
  exists(path: string): boolean;
  /** Creates the directory and missing parents; no error if it exists. */
  mkdirp(path: string): void;
  rmdir(path: string): void;
  /** Names of the subdirectories ([] if the directory is missing). */
  listDirs(path: string): string[];
}

export const nodeCgroupFs: CgroupFs = {
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, data) => writeFileSync(path, data),
  exists: (path) => existsSync(path),
  mkdirp: (path) => {
    mkdirSync(path, { recursive: true });
  },
  rmdir: (path) => rmdirSync(path),
  listDirs: (path) => {
    try {
      return readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      return [];
    }
  },
};

/** errno code of a failed fs call ('EBUSY', 'ENOENT', …), or null. */
export function errnoOf(err: unknown): string | null {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : null;
}

import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryFiles } from '../registry/registry-files.port';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
}

let tmpCounter = 0;

/** RegistryFiles on the local file system (node:fs/promises). */
export const nodeRegistryFiles: RegistryFiles = {
  join: (...parts) => join(...parts),

  async read(path) {
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  },

  async list(dir) {
    try {
      return await readdir(dir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
  },

  async ensureDir(dir) {
    await mkdir(dir, { recursive: true });
  },

  async createExclusive(path, data) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(data);
      await handle.close();
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      throw error;
    }
  },

  async writeAtomically(path, data) {
    const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  },

  async remove(path) {
    await unlink(path).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  },

  async ageMs(path) {
    try {
      return Date.now() - (await stat(path)).mtimeMs;
    } catch {
      return undefined;
    }
  },
};

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config';
import { isBase64Key32 } from './secret-key.format';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * Standalone without KAIROS_SECRET_KEY: the key that seals task secrets is generated once and kept in
 * DATA_DIR/secret.key (mode 0600, directory 0700), next to the embedded database whose secrets it
 * protects. Created atomically (written to a temporary file, then hard-linked into place, which fails
 * if another process won the race; the loser reads the winner's key). A file readable by group or
 * others is refused rather than used.
 * Returns the key as base64 (open it with secretKeyFromBase64 from @kairos/contracts).
 */
export function loadOrCreateSecretKeyFile(dataDir: string, random: (n: number) => Buffer = randomBytes): { keyBase64: string; path: string; created: boolean } {
  const path = join(dataDir, SECRET_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let created = false;
  try {
    statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const tmp = `${path}.${process.pid}.${random(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${random(32).toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new ConfigError(`${path} is readable by others (mode ${mode.toString(8)}): run \`chmod 600 ${path}\`, or set KAIROS_SECRET_KEY`);
  const keyBase64 = readFileSync(path, 'utf8').trim();
  if (!isBase64Key32(keyBase64)) throw new ConfigError(`${path} does not hold base64 of 32 bytes; restore it from backup (secrets sealed with it cannot be opened otherwise), or set KAIROS_SECRET_KEY`);
  return { keyBase64, path, created };
}

import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from '../cli.errors';

/** What `kairos login` saves: the server and, when it has keys, the API key. */
export const SavedLoginSchema = z
  .object({
    url: z.string().min(1),
    key: z.string().min(1).optional(),
    savedAt: z.string().optional(),
  })
  .strict();
export type SavedLogin = z.infer<typeof SavedLoginSchema>;

export interface LoginStore {
  readonly path: string;
  read(): SavedLogin | null;
  write(login: SavedLogin): void;
  /** True when there was something to remove. */
  remove(): boolean;
}

/** `$XDG_CONFIG_HOME/kairos/config.json`, else `~/.config/kairos/config.json` (XDG Base Directory spec). */
export function loginFilePath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(homeDir, '.config');
  return join(base, 'kairos', 'config.json');
}

/**
 * The login file: a secret, so the directory is 0700 and the file 0600, written to a temporary file
 * (created 0600, so the key is never readable by others even for a moment) and renamed over the old
 * one. A file others can read is reported through `warn` (as ssh does), not silently used.
 */
export class LoginFile implements LoginStore {
  constructor(
    readonly path: string,
    private readonly warn: (line: string) => void,
  ) {}

  read(): SavedLogin | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CliError('USAGE', `cannot read ${this.path}: ${(err as Error).message}`);
    }
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) this.warn(`warning: ${this.path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${this.path}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CliError('USAGE', `${this.path}: not valid JSON (${(err as Error).message}); fix it or run \`kairos logout\` and log in again`);
    }
    const parsed = SavedLoginSchema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new CliError('USAGE', `${this.path}: ${fields}; fix it or run \`kairos logout\` and log in again`);
    }
    return parsed.data;
  }

  write(login: SavedLogin): void {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(login, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The umask can only remove bits; set the mode explicitly in case the file pre-existed.
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  remove(): boolean {
    try {
      statSync(this.path);
    } catch {
      return false;
    }
    rmSync(this.path, { force: true });
    return true;
  }
}

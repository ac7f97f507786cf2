import { CliError } from '../cli.errors';
import type { SavedLogin } from './cli-config.file';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** `kairos_<16 hex id>_<43 base64url secret>` (docs/security.md). */
export const API_KEY_PATTERN = /^kairos_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ConnectionFlags {
  url?: string;
  key?: string;
}

export interface Connection {
  url: string;
  key: string | undefined;
  /** Where each came from, for messages: "--url", "KAIROS_URL", the login file, or the default. */
  urlSource: string;
  keySource: string | undefined;
}

/** Flag, then environment, then the saved login, then the default: the usual precedence. */
export function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>, saved: SavedLogin | null, loginPath: string): Connection {
  const pick = (flag: string | undefined, envName: string, fromFile: string | undefined, flagName: string): [string | undefined, string | undefined] => {
    if (flag !== undefined) return [flag, flagName];
    const e = env[envName];
    if (e !== undefined && e !== '') return [e, envName];
    if (fromFile !== undefined) return [fromFile, loginPath];
    return [undefined, undefined];
  };
  const [url, urlSource] = pick(flags.url, 'KAIROS_URL', saved?.url, '--url');
  const [key, keySource] = pick(flags.key, 'KAIROS_KEY', saved?.key, '--key');
  const conn: Connection = { url: url ?? DEFAULT_URL, urlSource: urlSource ?? 'default', key, keySource };
  checkUrl(conn.url, conn.urlSource);
  if (key !== undefined) checkKey(key, keySource ?? '--key');
  return conn;
}

export function checkUrl(url: string, source: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError('USAGE', `${source}: not a URL: ${JSON.stringify(url)} (expected e.g. ${DEFAULT_URL})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError('USAGE', `${source}: must start with http:// or https://, got ${JSON.stringify(url)}`);
  if (u.search || u.hash) throw new CliError('USAGE', `${source}: must not carry a query or fragment: ${JSON.stringify(url)}`);
}

/** Never echoes the key; names where it came from. */
export function checkKey(key: string, source: string): void {
  if (!API_KEY_PATTERN.test(key)) {
    throw new CliError('USAGE', `${source}: not a Kairos API key (expected kairos_<16 hex>_<43 base64url characters>, got ${key.length} characters${/\s/.test(key) ? ' with whitespace' : ''})`);
  }
}

/** The public part of a key, safe to print: `kairos_<id>`. */
export function keyLabel(key: string): string {
  const m = API_KEY_PATTERN.exec(key);
  return m ? `kairos_${m[1]}_…` : '(unrecognised key)';
}

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config';
import { loadOrCreateSecretKeyFile } from './secret-key.file';

describe('loadOrCreateSecretKeyFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kairos-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 32-byte key once, mode 0600, and returns the same key afterwards', () => {
    const dataDir = join(dir, 'data');
    const first = loadOrCreateSecretKeyFile(dataDir);
    expect(first.created).toBe(true);
    expect(Buffer.from(first.keyBase64, 'base64')).toHaveLength(32);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o077).toBe(0);
    const second = loadOrCreateSecretKeyFile(dataDir);
    expect(second).toEqual({ ...first, created: false });
    expect(readFileSync(first.path, 'utf8').trim()).toBe(first.keyBase64);
  });

  it('refuses a key file others can read, naming the fix', () => {
    const { path } = loadOrCreateSecretKeyFile(dir);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateSecretKeyFile(dir)).toThrow(ConfigError);
    expect(() => loadOrCreateSecretKeyFile(dir)).toThrow(`chmod 600 ${path}`);
  });

  it('refuses a corrupt key file instead of replacing it (that would lose every sealed secret)', () => {
    writeFileSync(join(dir, 'secret.key'), 'garbage\n', { mode: 0o600 });
    expect(() => loadOrCreateSecretKeyFile(dir)).toThrow('does not hold base64 of 32 bytes');
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('garbage\n');
  });
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoginFile } from '../src/settings/cli-config.file';

// The login file on a real file system: a secret, so 0600 in a 0700 directory whatever the umask.
describe('LoginFile', () => {
  let dir: string;
  const warnings: string[] = [];
  const KEY = `kairos_0123456789abcdef_${'d'.repeat(43)}`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-login-'));
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 0600 in a 0700 directory even under a permissive umask, and reads it back', () => {
    const path = join(dir, 'cfg', 'kairos', 'config.json');
    const file = new LoginFile(path, (w) => warnings.push(w));
    const old = process.umask(0o000);
    try {
      file.write({ url: 'http://k:3000', key: KEY });
    } finally {
      process.umask(old);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'cfg', 'kairos')).mode & 0o777).toBe(0o700);
    expect(file.read()).toEqual({ url: 'http://k:3000', key: KEY });
    expect(warnings).toEqual([]);
  });

  it('tightens a file that was readable by others when it rewrites it; warns when reading one', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ url: 'http://a:1' }));
    chmodSync(path, 0o644);
    const file = new LoginFile(path, (w) => warnings.push(w));
    expect(file.read()).toEqual({ url: 'http://a:1' });
    expect(warnings[0]).toBe(`warning: ${path} is readable by others (mode 0644); run: chmod 600 ${path}`);
    file.write({ url: 'http://b:2', key: KEY });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: 'http://b:2', key: KEY });
  });

  it('a missing file is no login; a broken one names the file and the way out', () => {
    const path = join(dir, 'config.json');
    const file = new LoginFile(path, () => undefined);
    expect(file.read()).toBeNull();
    expect(file.remove()).toBe(false);
    writeFileSync(path, '{"url": 3}', { mode: 0o600 });
    expect(() => file.read()).toThrow(`${path}: url: Invalid input: expected string, received number; fix it or run \`kairos logout\` and log in again`);
    writeFileSync(path, '{', { mode: 0o600 });
    expect(() => file.read()).toThrow(/not valid JSON/);
    expect(file.remove()).toBe(true);
    expect(file.read()).toBeNull();
  });
});

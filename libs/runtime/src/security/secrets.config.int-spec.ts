import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@kairos/platform';
import { secretKeyringFromConfig } from './secrets.config';

describe('standalone keyring without KAIROS_SECRET_KEY', () => {
  it('generates a key into DATA_DIR once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-ring-'));
    try {
      const first = secretKeyringFromConfig(loadConfig({ DATA_DIR: dir }), 'standalone');
      const second = secretKeyringFromConfig(loadConfig({ DATA_DIR: dir }), 'standalone');
      expect([first.source, second.source]).toEqual(['generated', 'key file']);
      expect(second.keyring.current.id).toBe(first.keyring.current.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

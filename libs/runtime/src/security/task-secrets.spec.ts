import { makeKeyring, secretKeyFromBase64, type RunSpec } from '@kairos/contracts';
import { TaskSecrets } from './task-secrets';

const secrets = new TaskSecrets(makeKeyring(secretKeyFromBase64(Buffer.alloc(32, 3).toString('base64'))), { envNamePatterns: ['TOKEN'], headerNames: ['authorization'] });
const shell = (env: Record<string, string>, secretEnv?: Record<string, string>): RunSpec => ({ kind: 'shell', command: ['true'], env, ...(secretEnv ? { secretEnv } : {}) }) as RunSpec;

describe('TaskSecrets', () => {
  it('seals automatic and marked secrets, opens them back, redacts them in views', () => {
    const sealed = secrets.seal(shell({ API_TOKEN: 'tok-1234', STAGE: 'x' }, { PEM: 'pem-5678' }));
    expect(JSON.stringify(sealed)).not.toMatch(/tok-1234|pem-5678/);
    expect(sealed).toMatchObject({ env: { STAGE: 'x' }, secretEnv: { API_TOKEN: expect.stringMatching(/^v1:/), PEM: expect.stringMatching(/^v1:/) } });
    expect(secrets.open(sealed)).toMatchObject({ secretEnv: { API_TOKEN: 'tok-1234', PEM: 'pem-5678' } });
    expect(secrets.redact(sealed)).toMatchObject({ env: { STAGE: 'x' }, secretEnv: { API_TOKEN: '[redacted]', PEM: '[redacted]' } });
  });

  it('redacts summaries without adding fields, and leaves non-specs alone', () => {
    expect(secrets.redact({ kind: 'shell', command: ['true'] })).toEqual({ kind: 'shell', command: ['true'] });
    expect(secrets.redact({ kind: 'http', url: 'http://x', headers: { Authorization: 'Bearer abc' } })).toEqual({ kind: 'http', url: 'http://x', headers: { Authorization: '[redacted]' } });
    expect(secrets.redact(null)).toBeNull();
    expect(secrets.redact('x')).toBe('x');
  });

  it('compares a stored spec with a resubmission by plaintext (ciphertexts differ every time)', () => {
    const spec = shell({ API_TOKEN: 'tok-1234' });
    const a = secrets.seal(spec);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(secrets.seal(spec)));
    expect(secrets.sameSpec(a, spec)).toBe(true);
    expect(secrets.sameSpec(a, shell({ API_TOKEN: 'tok-9999' }))).toBe(false);
    expect(secrets.sameSpec({ ...a, secretEnv: { API_TOKEN: 'v1:bad:bad' } } as RunSpec, spec)).toBe(false);
  });
});

import { DEFAULT_SECRET_POLICY, openSecrets, RunSpecSchema, sealSecrets, secretKeyFromBase64 } from '@kairos/contracts';
import { loadConfig } from '@kairos/platform';
import { apiKeyRateLimiterFromConfig, secretKeyringFromConfig, secretPolicyFromConfig } from './secrets.config';

describe('security settings from configuration', () => {
  const key = Buffer.alloc(32, 3).toString('base64');
  const old = Buffer.alloc(32, 4).toString('base64');

  it('the platform defaults for secret names are the contracts defaults', () => {
    expect(secretPolicyFromConfig(loadConfig({}))).toEqual({ envNamePatterns: [...DEFAULT_SECRET_POLICY.envNamePatterns], headerNames: [...DEFAULT_SECRET_POLICY.headerNames] });
  });

  it('builds the keyring from KAIROS_SECRET_KEY and KAIROS_SECRET_KEY_PREVIOUS', () => {
    const { keyring, source } = secretKeyringFromConfig(loadConfig({ KAIROS_SECRET_KEY: key, KAIROS_SECRET_KEY_PREVIOUS: old }), 'distributed');
    expect(source).toBe('KAIROS_SECRET_KEY');
    expect(keyring.current.id).toBe(secretKeyFromBase64(key).id);
    expect(keyring.previous.map((k) => k.id)).toEqual([secretKeyFromBase64(old).id]);
    const spec = RunSpecSchema.parse({ kind: 'shell', command: ['x'], secretEnv: { A: 'v' } });
    expect(openSecrets(sealSecrets(spec, keyring), keyring)).toEqual(spec);
  });

  it('distributed services without KAIROS_SECRET_KEY refuse to start, saying why', () => {
    expect(() => secretKeyringFromConfig(loadConfig({}), 'distributed')).toThrow('KAIROS_SECRET_KEY is required when services run as separate processes');
  });

  it('builds the rate limiter', () => {
    const l = apiKeyRateLimiterFromConfig(loadConfig({ RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '2' }), () => 0);
    expect([l.take('k').allowed, l.take('k').allowed, l.take('k').allowed]).toEqual([true, true, false]);
  });
});

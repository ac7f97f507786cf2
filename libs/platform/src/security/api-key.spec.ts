import { API_KEY_PATTERN, API_KEY_SCOPES, apiKeyErrorStatus, ApiKeyError, digestApiKey, generateApiKey, parseApiKey, satisfies, verifyApiKey, type ApiKeyScope } from './api-key';

describe('satisfies(keyScopes, required)', () => {
  // Rows: what the key holds; columns: read, submit, operate, admin.
  const table: [ApiKeyScope[], [boolean, boolean, boolean, boolean]][] = [
    [[], [false, false, false, false]],
    [['read'], [true, false, false, false]],
    [['submit'], [true, true, false, false]],
    [['operate'], [true, false, true, false]],
    [['submit', 'operate'], [true, true, true, false]],
    [['admin'], [true, true, true, true]],
    [['read', 'admin'], [true, true, true, true]],
  ];
  it.each(table)('a key with %j', (held, expected) => {
    expect(API_KEY_SCOPES.map((required) => satisfies(held, required))).toEqual(expected);
  });
});

describe('API key format', () => {
  it('generates kairos_<16 hex>_<43 base64url> with 256 random bits, stores only a digest', () => {
    const k = generateApiKey();
    expect(k.token).toMatch(API_KEY_PATTERN);
    expect(k.token.startsWith(`kairos_${k.keyId}_`)).toBe(true);
    expect(Buffer.from(k.token.split('_').slice(2).join('_'), 'base64url')).toHaveLength(32);
    expect(k.digest).toBe(digestApiKey(k.token));
    expect(k.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(k.digest).not.toContain(k.token.slice(-43));
    expect(generateApiKey().token).not.toBe(k.token);
  });
  it('is deterministic given the random source (a known vector)', () => {
    const random = (n: number) => Buffer.alloc(n, n === 8 ? 0xab : 0xff);
    const k = generateApiKey(random);
    expect(k.token).toBe(`kairos_abababababababab_${'_'.repeat(42)}8`);
    // computed independently: printf %s "kairos_abababababababab_<42 x _>8" | sha256sum
    expect(k.digest).toBe('3d9bf3332c70522f9282dac24a0f11e365be54a851747f7cd9fbc3f8ffd5ca2d');
  });
  it('parses the key id (a secret may contain _ and -)', () => {
    const token = `kairos_0123456789abcdef_${'a_-'.repeat(14)}b`;
    expect(parseApiKey(token)).toEqual({ keyId: '0123456789abcdef' });
  });
  it.each([
    'kairos_0123456789abcdef_short',
    `Kairos_0123456789abcdef_${'a'.repeat(43)}`,
    `kairos_0123456789ABCDEF_${'a'.repeat(43)}`,
    `kairos_0123456789abcdef_${'a'.repeat(43)}\n`,
    `kairos_0123456789abcdef_${'a'.repeat(42)}=`,
    '',
  ])('refuses %j as KEY_MALFORMED without echoing it', (token) => {
    try {
      parseApiKey(token);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ApiKeyError);
      expect((e as ApiKeyError).code).toBe('KEY_MALFORMED');
      if (token) expect((e as Error).message).not.toContain(token.trim());
    }
  });
  it('verifies against the stored digest, rejecting any other key or a corrupt digest', () => {
    const k = generateApiKey();
    expect(verifyApiKey(k.token, k.digest)).toBe(true);
    const other = k.token.slice(0, -1) + (k.token.endsWith('A') ? 'B' : 'A');
    expect(verifyApiKey(other, k.digest)).toBe(false);
    expect(verifyApiKey(k.token, k.digest.slice(0, 62))).toBe(false);
    expect(verifyApiKey(k.token, '')).toBe(false);
  });
  it('maps every error code to 401, 403 or 429', () => {
    expect(apiKeyErrorStatus('KEY_MISSING')).toBe(401);
    expect(apiKeyErrorStatus('KEY_INVALID')).toBe(401);
    expect(apiKeyErrorStatus('KEY_REVOKED')).toBe(401);
    expect(apiKeyErrorStatus('SCOPE_INSUFFICIENT')).toBe(403);
    expect(apiKeyErrorStatus('RATE_LIMITED')).toBe(429);
  });
});

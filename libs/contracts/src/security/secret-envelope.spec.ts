import { RunSpecSchema, StoredRunSpecSchema } from '../task.schema';
import { isSealedValue, makeKeyring, openValue, sealedLength, sealedPlaintextBytes, sealValue, SecretEnvelopeError, secretKeyFromBase64, secretKeyFromBytes } from './secret-envelope';
import { openSecrets, resealSecrets, sealSecrets } from './secret-sealing';

const keyA = secretKeyFromBytes(Buffer.alloc(32, 1));
const keyB = secretKeyFromBytes(Buffer.alloc(32, 2));
const ring = makeKeyring(keyA);

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof SecretEnvelopeError ? e.code : `not a SecretEnvelopeError: ${String(e)}`;
  }
  return undefined;
};

describe('secret keys', () => {
  it('accepts base64 and base64url of 32 bytes, with a stable id', () => {
    const b = Buffer.alloc(32, 250);
    const std = secretKeyFromBase64(b.toString('base64'));
    expect(secretKeyFromBase64(b.toString('base64url')).id).toBe(std.id);
    expect(std.id).toMatch(/^[0-9a-f]{8}$/);
    expect(std.id).not.toBe(keyA.id);
  });
  it.each([
    ['short', Buffer.alloc(16).toString('base64'), 'must decode to 32 bytes (got 16)'],
    ['not base64', 'this is not base64!', 'must be base64 of 32 random bytes'],
  ])('refuses a %s key naming the variable, never the value', (_what, text, message) => {
    expect(() => secretKeyFromBase64(text, 'KAIROS_SECRET_KEY')).toThrow(`KAIROS_SECRET_KEY ${message}`);
    try {
      secretKeyFromBase64(text, 'KAIROS_SECRET_KEY');
    } catch (e) {
      expect((e as Error).message).not.toContain(text);
    }
  });
});

describe('sealValue / openValue (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time', () => {
    const a = sealValue('hunter2 ✓', ring, 'env:PW');
    const b = sealValue('hunter2 ✓', ring, 'env:PW');
    expect(a).not.toBe(b);
    expect(a.startsWith(`v1:${keyA.id}:`)).toBe(true);
    expect(isSealedValue(a)).toBe(true);
    expect(openValue(a, ring, 'env:PW')).toBe('hunter2 ✓');
  });
  it('knows the plaintext size under an envelope, and the envelope size of a plaintext', () => {
    for (const n of [0, 1, 2, 3, 100, 32_768]) {
      const s = sealValue('a'.repeat(n), ring, 'f');
      expect(sealedPlaintextBytes(s)).toBe(n);
      expect(s.length).toBeLessThanOrEqual(sealedLength(n));
    }
    expect(sealedPlaintextBytes('plain')).toBeNull();
  });
  it('refuses a ciphertext moved to another field, a tampered one, an unknown key and a non-envelope', () => {
    const s = sealValue('v', ring, 'env:A');
    expect(codeOf(() => openValue(s, ring, 'env:B'))).toBe('DECRYPT_FAILED');
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    expect(codeOf(() => openValue(flipped, ring, 'env:A'))).toBe('DECRYPT_FAILED');
    expect(codeOf(() => openValue(s, makeKeyring(keyB), 'env:A'))).toBe('KEY_UNKNOWN');
    expect(codeOf(() => openValue('v1:00000000:AAAA', ring, 'env:A'))).toBe('KEY_UNKNOWN');
    expect(codeOf(() => openValue(`v1:${keyA.id}:AAAA`, ring, 'env:A'))).toBe('ENVELOPE_MALFORMED');
    expect(codeOf(() => openValue('plaintext', ring, 'env:A'))).toBe('ENVELOPE_MALFORMED');
  });
  it('rotation: a previous key still opens; reseal moves values to the current key', () => {
    const old = sealValue('v', ring, 'env:A');
    const rotated = makeKeyring(keyB, [keyA]);
    expect(openValue(old, rotated, 'env:A')).toBe('v');
    const spec = RunSpecSchema.parse({ kind: 'shell', command: ['x'], secretEnv: { A: 'v' } });
    const sealedOld = sealSecrets(spec, ring);
    const resealed = resealSecrets(sealedOld, rotated);
    expect(resealed.kind === 'shell' && resealed.secretEnv!.A.startsWith(`v1:${keyB.id}:`)).toBe(true);
    expect(openSecrets(resealed, makeKeyring(keyB))).toEqual(spec);
  });
});

describe('sealSecrets / openSecrets on run specs', () => {
  it('stores ciphertext only: automatic and marked secrets sealed, plain env untouched, valid as a stored spec', () => {
    const spec = RunSpecSchema.parse({ kind: 'shell', command: ['deploy'], env: { CI: 'true', NPM_TOKEN: 'npm_SECRETVALUE' }, secretEnv: { SIGNING_PEM: 'PEMSECRETVALUE' } });
    const sealed = sealSecrets(spec, ring);
    const json = JSON.stringify(sealed);
    expect(json).not.toContain('SECRETVALUE');
    expect(sealed).toMatchObject({ env: { CI: 'true' }, secretEnv: { NPM_TOKEN: expect.stringMatching(/^v1:/), SIGNING_PEM: expect.stringMatching(/^v1:/) } });
    expect(StoredRunSpecSchema.safeParse(sealed).success).toBe(true);
    expect(openSecrets(sealed, ring)).toEqual({ ...spec, env: { CI: 'true' }, secretEnv: { SIGNING_PEM: 'PEMSECRETVALUE', NPM_TOKEN: 'npm_SECRETVALUE' } });
  });
  it('seals Authorization headers and binds them to their (case-insensitive) name', () => {
    const spec = RunSpecSchema.parse({ kind: 'http', url: 'https://x.test/', headers: { Authorization: 'Bearer TOKENVALUE' } });
    const sealed = sealSecrets(spec, ring);
    expect(JSON.stringify(sealed)).not.toContain('TOKENVALUE');
    expect(openSecrets(sealed, ring)).toMatchObject({ headers: {}, secretHeaders: { Authorization: 'Bearer TOKENVALUE' } });
    if (sealed.kind !== 'http') throw new Error('kind');
    const moved = { ...sealed, secretHeaders: { Cookie: sealed.secretHeaders!.Authorization } };
    expect(codeOf(() => openSecrets(moved, ring))).toBe('DECRYPT_FAILED');
  });
  it('leaves noop specs and specs without secrets as they are', () => {
    const noop = RunSpecSchema.parse({ kind: 'noop' });
    expect(sealSecrets(noop, ring)).toEqual(noop);
    const plain = RunSpecSchema.parse({ kind: 'shell', command: ['ls'], env: { CI: '1' } });
    expect(openSecrets(sealSecrets(plain, ring), ring)).toEqual(plain);
  });
  it('refuses to open a plaintext value posing as stored', () => {
    const spec = RunSpecSchema.parse({ kind: 'shell', command: ['x'], secretEnv: { A: 'not sealed' } });
    expect(codeOf(() => openSecrets(spec, ring))).toBe('ENVELOPE_MALFORMED');
  });
});

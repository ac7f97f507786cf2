import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secret values: AES-256-GCM, one random 12-byte IV per value, the key's id in
 * the envelope (so old keys can still open values after a rotation) and the field's name as
 * associated data (a ciphertext moved to another field does not open).
 *
 *   v1:<keyId: 8 hex>:<base64url(iv ‖ ciphertext ‖ 16-byte tag)>
 *
 * The envelope reveals the plaintext's length (GCM is a stream mode); see docs/security.md.
 * This is computation only (no I/O): the gateway seals, the executor opens, both with the key from
 * KAIROS_SECRET_KEY (libs/platform validates it; standalone keeps a generated one in DATA_DIR).
 */

export const SEALED_PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SEALED = /^v1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;

export type SecretEnvelopeErrorCode = 'KEY_INVALID' | 'KEY_UNKNOWN' | 'ENVELOPE_MALFORMED' | 'DECRYPT_FAILED';

export class SecretEnvelopeError extends Error {
  constructor(
    readonly code: SecretEnvelopeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretEnvelopeError';
  }
}

export interface SecretKey {
  /** 8 hex characters derived from the key (not secret): which key sealed a value. */
  readonly id: string;
  readonly bytes: Buffer;
}

/** `current` seals; `current` and `previous` open (rotation: the old key moves to previous). */
export interface SecretKeyring {
  readonly current: SecretKey;
  readonly previous: readonly SecretKey[];
}

export function secretKeyId(bytes: Uint8Array): string {
  return createHash('sha256').update('kairos-secret-key-id\0').update(bytes).digest('hex').slice(0, 8);
}

export function secretKeyFromBytes(bytes: Uint8Array): SecretKey {
  if (bytes.length !== KEY_BYTES) throw new SecretEnvelopeError('KEY_INVALID', `a secret key must be ${KEY_BYTES} bytes (got ${bytes.length})`);
  return { id: secretKeyId(bytes), bytes: Buffer.from(bytes) };
}

/**
 * Parses base64 (standard or url-safe, padding optional) that must decode to exactly 32 bytes.
 * `name` (e.g. KAIROS_SECRET_KEY) goes into the message; the value never does.
 */
export function secretKeyFromBase64(text: string, name = 'secret key'): SecretKey {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) throw new SecretEnvelopeError('KEY_INVALID', `${name} must be base64 of 32 random bytes (e.g. \`openssl rand -base64 32\`)`);
  const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES) throw new SecretEnvelopeError('KEY_INVALID', `${name} must decode to ${KEY_BYTES} bytes (got ${bytes.length}); generate one with \`openssl rand -base64 32\``);
  return secretKeyFromBytes(bytes);
}

export function makeKeyring(current: SecretKey, previous: readonly SecretKey[] = []): SecretKeyring {
  return { current, previous: previous.filter((k) => k.id !== current.id) };
}

export function isSealedValue(v: string): boolean {
  return SEALED.test(v);
}

/** Plaintext bytes under a sealed envelope (null if `v` is not one): lets stored specs keep the input limits. */
export function sealedPlaintextBytes(v: string): number | null {
  const m = SEALED.exec(v);
  if (!m) return null;
  return Math.max(0, Math.floor((m[2].length * 3) / 4) - IV_BYTES - TAG_BYTES);
}

/** Length of the envelope of a plaintext of `plaintextBytes` bytes. */
export function sealedLength(plaintextBytes: number): number {
  return SEALED_PREFIX.length + 9 + Math.ceil(((IV_BYTES + plaintextBytes + TAG_BYTES) * 4) / 3);
}

/** Encrypts one value with the keyring's current key; `field` (e.g. `env:API_TOKEN`) is bound as associated data. */
export function sealValue(plaintext: string, keyring: SecretKeyring, field: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.bytes, iv);
  cipher.setAAD(Buffer.from(field, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${SEALED_PREFIX}${keyring.current.id}:${Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url')}`;
}

/** Decrypts an envelope made by sealValue for the same `field`, with whichever keyring key sealed it. */
export function openValue(sealed: string, keyring: SecretKeyring, field: string): string {
  const m = SEALED.exec(sealed);
  if (!m) throw new SecretEnvelopeError('ENVELOPE_MALFORMED', `${field}: not a sealed secret (expected v1:<keyId>:<data>)`);
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === m[1]);
  if (!key) throw new SecretEnvelopeError('KEY_UNKNOWN', `${field}: sealed with key ${m[1]}, which is neither KAIROS_SECRET_KEY nor in KAIROS_SECRET_KEY_PREVIOUS`);
  const raw = Buffer.from(m[2], 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretEnvelopeError('ENVELOPE_MALFORMED', `${field}: sealed secret is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(field, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretEnvelopeError('DECRYPT_FAILED', `${field}: sealed secret does not authenticate (tampered, moved from another field, or a different key with the same id)`);
  }
}

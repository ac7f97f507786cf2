import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain-error';

/**
 * API keys: `kairos_<keyId>_<secret>`.
 * - keyId: 16 hex characters, public (logs, audit records, lookups);
 * - secret: 32 random bytes (256 bits), base64url (43 characters).
 * Stored: SHA-256 of the whole key, hex. A plain hash is enough because the secret is uniformly
 * random: 256 bits cannot be brute-forced from a leaked digest, so a slow password hash would only
 * cap request throughput, and an HMAC pepper would add a second secret to deploy and rotate (losing it
 * invalidates every key) for no gain against that threat. Compared in constant time.
 */

export const API_KEY_SCOPES = ['read', 'submit', 'operate', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * What each scope grants. `read`: GET endpoints. `submit`: create tasks and workflows (this runs
 * commands, so it is the dangerous one). `operate`: cancel, rerun, repairs, queue policies.
 * `admin`: keys, diagnosis rules, model deploy/rollback — and everything else.
 * submit and operate imply read (you may see what you act on); neither implies the other: an
 * operator key cannot run new code, a CI key cannot cordon nodes.
 */
const GRANTS: Record<ApiKeyScope, readonly ApiKeyScope[]> = {
  read: ['read'],
  submit: ['submit', 'read'],
  operate: ['operate', 'read'],
  admin: API_KEY_SCOPES,
};

/** True when a key holding `keyScopes` may call a route that requires `required`. */
export function satisfies(keyScopes: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return keyScopes.some((s) => GRANTS[s].includes(required));
}

export type ApiKeyErrorCode = 'KEY_MISSING' | 'KEY_MALFORMED' | 'KEY_UNKNOWN' | 'KEY_REVOKED' | 'KEY_INVALID' | 'SCOPE_INSUFFICIENT' | 'RATE_LIMITED' | 'SESSION_ORIGIN_REQUIRED';

export class ApiKeyError extends DomainError<ApiKeyErrorCode> {
  constructor(
    readonly code: ApiKeyErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** 401 for every failure to authenticate, 403 for a valid key lacking the scope, 429 when over its rate. */
export function apiKeyErrorStatus(code: ApiKeyErrorCode): 401 | 403 | 429 {
  switch (code) {
    case 'KEY_MISSING':
    case 'KEY_MALFORMED':
    case 'KEY_UNKNOWN':
    case 'KEY_REVOKED':
    case 'KEY_INVALID':
      return 401;
    case 'SCOPE_INSUFFICIENT':
    case 'SESSION_ORIGIN_REQUIRED':
      return 403;
    case 'RATE_LIMITED':
      return 429;
    default: {
      const never: never = code;
      return never;
    }
  }
}

export const API_KEY_PATTERN = /^kairos_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  keyId: string;
  /** The whole key: shown once to its owner, never stored or logged. */
  token: string;
  /** What is stored. */
  digest: string;
}

export function digestApiKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateApiKey(random: (bytes: number) => Buffer = randomBytes): GeneratedApiKey {
  const keyId = random(8).toString('hex');
  const token = `kairos_${keyId}_${random(32).toString('base64url')}`;
  return { keyId, token, digest: digestApiKey(token) };
}

/** The key id of a well-formed key; KEY_MALFORMED otherwise (the message never echoes the input). */
export function parseApiKey(token: string): { keyId: string } {
  const m = API_KEY_PATTERN.exec(token);
  if (!m) throw new ApiKeyError('KEY_MALFORMED', 'API key is malformed (expected kairos_<16 hex>_<43 base64url characters>)');
  return { keyId: m[1] };
}

/** Constant-time comparison of the presented key's digest with the stored one. */
export function verifyApiKey(token: string, storedDigest: string): boolean {
  const presented = Buffer.from(digestApiKey(token), 'hex');
  const stored = Buffer.from(storedDigest, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

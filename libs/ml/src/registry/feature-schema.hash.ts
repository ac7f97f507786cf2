import { createHash } from 'node:crypto';

/**
 * Stable identity of an ordered feature list: SHA-256 over the JSON array. Order matters on purpose:
 * a model reads its input vector positionally, so ['a', 'b'] and ['b', 'a'] are different schemas.
 */
export function featureSchemaHash(features: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(features)).digest('hex');
}

/** SHA-256 of artifact bytes, lower-case hex. */
export function artifactChecksum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

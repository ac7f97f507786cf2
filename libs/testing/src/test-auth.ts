/**
 * The admin key every test-started service is given (KAIROS_ADMIN_KEY), so tests authenticate the way
 * users do. A fixed, obviously-test value in the real key format (kairos_<16 hex>_<43 base64url>).
 */
export const TEST_ADMIN_KEY = 'kairos_00000000000000aa_testtesttesttesttesttesttesttesttesttesttes';

/** Headers for an authenticated JSON request as the test admin (or another key). */
export function authHeaders(key: string = TEST_ADMIN_KEY, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra };
}

/**
 * The task-secret key (KAIROS_SECRET_KEY) every test-started service is given, so a gateway and the
 * executors started as separate processes seal and open with the same key. Base64 of 32 bytes.
 */
export const TEST_SECRET_KEY = Buffer.alloc(32, 0x6b).toString('base64');

import { makeKeyring, secretKeyFromBase64, type SecretKeyring, type SecretPolicy } from '@kairos/contracts';
import { ConfigError, loadOrCreateSecretKeyFile, TokenBucketLimiter, type KairosConfig } from '@kairos/platform';

/**
 * The keyring that seals and opens task secrets. KAIROS_SECRET_KEY when set (required when services
 * run as separate processes: the gateway seals what an executor opens, so they must share it);
 * in standalone without it, a key generated once into DATA_DIR/secret.key.
 */
export function secretKeyringFromConfig(
  config: Pick<KairosConfig, 'KAIROS_SECRET_KEY' | 'KAIROS_SECRET_KEY_PREVIOUS' | 'DATA_DIR'>,
  mode: 'standalone' | 'distributed',
): { keyring: SecretKeyring; source: 'KAIROS_SECRET_KEY' | 'generated' | 'key file' } {
  const previous = config.KAIROS_SECRET_KEY_PREVIOUS.map((k, i) => secretKeyFromBase64(k, `KAIROS_SECRET_KEY_PREVIOUS entry ${i + 1}`));
  if (config.KAIROS_SECRET_KEY) return { keyring: makeKeyring(secretKeyFromBase64(config.KAIROS_SECRET_KEY, 'KAIROS_SECRET_KEY'), previous), source: 'KAIROS_SECRET_KEY' };
  if (mode === 'distributed') {
    throw new ConfigError('KAIROS_SECRET_KEY is required when services run as separate processes: the gateway seals task secrets that executors open, so they must share one key (`openssl rand -base64 32`)');
  }
  const file = loadOrCreateSecretKeyFile(config.DATA_DIR);
  return { keyring: makeKeyring(secretKeyFromBase64(file.keyBase64, file.path), previous), source: file.created ? 'generated' : 'key file' };
}

export function secretPolicyFromConfig(config: Pick<KairosConfig, 'SECRET_ENV_PATTERNS' | 'SECRET_HEADERS'>): SecretPolicy {
  return { envNamePatterns: config.SECRET_ENV_PATTERNS, headerNames: config.SECRET_HEADERS };
}

export function apiKeyRateLimiterFromConfig(config: Pick<KairosConfig, 'RATE_LIMIT_PER_SEC' | 'RATE_LIMIT_BURST' | 'RATE_LIMIT_MAX_BUCKETS'>, now: () => number = Date.now): TokenBucketLimiter {
  return new TokenBucketLimiter({ ratePerSec: config.RATE_LIMIT_PER_SEC, burst: config.RATE_LIMIT_BURST, maxBuckets: config.RATE_LIMIT_MAX_BUCKETS, now });
}

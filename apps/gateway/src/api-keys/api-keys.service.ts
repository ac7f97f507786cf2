import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeyError, CLOCK, digestApiKey, generateApiKey, LOGGER, parseApiKey, verifyApiKey, type ApiKeyScope, type Clock, type KairosConfig, type Logger } from '@kairos/platform';
import { DEFAULT_TENANT } from '@kairos/contracts';
import { API_KEY_LOOKUP, CONFIG, PgApiKeyLookup, type ApiKeyLookup } from '@kairos/runtime';
import { GatewayError } from '../errors/gateway.errors';
import { API_KEYS_REPOSITORY, type ApiKeyRecord, type ApiKeysRepository } from './api-keys.repository';

/** Where the generated first admin key is printed (once): the process's stdout, not the log. */
export const ADMIN_KEY_ANNOUNCER = Symbol('ADMIN_KEY_ANNOUNCER');
export type AdminKeyAnnouncer = (text: string) => void;

export function adminKeyBanner(token: string, keyId: string, baseUrl: string): string {
  return [
    '',
    '================================================================================',
    ' Kairos created the first admin API key. It is shown ONCE and stored only as a',
    ' SHA-256 digest; copy it now (lost: start with KAIROS_ADMIN_KEY=<a new key>).',
    '',
    `   ${token}`,
    '',
    ` key id ${keyId}. Use it:  curl -H "Authorization: Bearer <key>" ${baseUrl}/api/tasks`,
    '                    or:  kairos login --key-stdin   (then paste it)',
    '================================================================================',
    '',
  ].join('\n');
}

/**
 * API keys: first-start admin key, create (the key is returned once), list (never secrets), revoke,
 * and checking a key for the dashboard's session cookie. Keys are stored as SHA-256 digests.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  constructor(
    @Inject(API_KEYS_REPOSITORY) private readonly repo: ApiKeysRepository,
    @Inject(API_KEY_LOOKUP) private readonly lookup: ApiKeyLookup,
    @Inject(CONFIG) private readonly config: Pick<KairosConfig, 'KAIROS_ADMIN_KEY' | 'HOST' | 'PORT'>,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(ADMIN_KEY_ANNOUNCER) private readonly announce: AdminKeyAnnouncer = (text) => void process.stdout.write(text),
  ) {}

  /** First start: KAIROS_ADMIN_KEY's row when set, else a generated admin key while the table is empty. */
  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.KAIROS_ADMIN_KEY;
    if (configured) {
      const { keyId } = parseApiKey(configured);
      const inserted = await this.repo.insertIfAbsent({ keyId, digest: digestApiKey(configured), name: 'admin (KAIROS_ADMIN_KEY)', scopes: ['admin'], tenant: DEFAULT_TENANT, createdBy: 'KAIROS_ADMIN_KEY' });
      if (inserted) this.logger.info({ keyId }, 'admin API key from KAIROS_ADMIN_KEY stored (digest only)');
      return;
    }
    const key = generateApiKey();
    if (await this.repo.insertIfEmpty({ keyId: key.keyId, digest: key.digest, name: 'admin (first start)', scopes: ['admin'], tenant: DEFAULT_TENANT, createdBy: 'first-start' })) {
      this.logger.info({ keyId: key.keyId }, 'generated the first admin API key (printed once on stdout, stored as a digest)');
      this.announce(adminKeyBanner(key.token, key.keyId, `http://${this.config.HOST.includes(':') ? `[${this.config.HOST}]` : this.config.HOST}:${this.config.PORT}`));
    }
  }

  /** A new key of `input.tenant` (default: the creator's tenant; only admin keys reach this, so any tenant may be named). */
  async create(input: { name: string; scopes: ApiKeyScope[]; tenant?: string }, createdBy: string, creatorTenant: string): Promise<ApiKeyRecord & { key: string }> {
    const key = generateApiKey();
    const tenant = input.tenant ?? creatorTenant;
    const record = await this.repo.insert({ keyId: key.keyId, digest: key.digest, name: input.name, scopes: [...new Set(input.scopes)], tenant, createdBy });
    this.logger.info({ keyId: key.keyId, scopes: record.scopes, tenant, createdBy }, 'API key created');
    return { ...record, key: key.token };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repo.list();
  }

  async revoke(keyId: string, by: string): Promise<ApiKeyRecord> {
    const r = await this.repo.revoke(keyId, new Date(this.clock.now()));
    if (r.kind === 'not-found') throw new GatewayError('API_KEY_NOT_FOUND', `API key ${keyId} does not exist`, { keyId });
    if (r.kind === 'last-admin') throw new GatewayError('LAST_ADMIN_KEY', `API key ${keyId} is the last active admin key; create another admin key before revoking it`, { keyId });
    if (this.lookup instanceof PgApiKeyLookup) this.lookup.forget(keyId);
    if (r.kind === 'revoked') this.logger.info({ keyId, by }, 'API key revoked');
    return r.key;
  }

  /** Checks a key for POST /api/session: 401 (KEY_*) exactly as the guard would answer. */
  async verify(token: string): Promise<{ keyId: string; scopes: readonly ApiKeyScope[]; tenant: string }> {
    const { keyId } = parseApiKey(token);
    const stored = await this.lookup.findByKeyId(keyId);
    if (!stored) throw new ApiKeyError('KEY_UNKNOWN', `API key ${keyId} does not exist`, { keyId });
    if (!verifyApiKey(token, stored.digest)) throw new ApiKeyError('KEY_INVALID', `API key ${keyId}: wrong secret`, { keyId });
    if (stored.revokedAt) throw new ApiKeyError('KEY_REVOKED', `API key ${keyId} was revoked at ${stored.revokedAt.toISOString()}`, { keyId });
    return { keyId, scopes: stored.scopes, tenant: stored.tenant };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import { API_KEY_SCOPES, digestApiKey, parseApiKey, type ApiKeyScope, type KairosConfig } from '@kairos/platform';
import { DEFAULT_TENANT } from '@kairos/contracts';
import { CONFIG } from '../tokens';
import type { ApiKeyLookup, StoredApiKey } from './api-key.guard';

/** How long a looked-up key is reused before asking the database again (revocation reaches other processes within this). */
export const API_KEY_CACHE_MS = 5_000;

interface Row {
  keyId: string;
  digest: string;
  scopes: string[];
  revokedAt: Date | null;
  tenant: string | null;
}

function isUndefinedTable(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return e?.code === '42P01' || e?.driverError?.code === '42P01';
}

/**
 * Every service's API_KEY_LOOKUP: the `api_keys` table (owned and migrated by the gateway; the other
 * services share its database and only read it), cached for API_KEY_CACHE_MS per key id.
 *
 * A process whose database has no `api_keys` table yet (an analyzer started before any gateway
 * migrated the shared database) still accepts `KAIROS_ADMIN_KEY` from its own configuration, so a
 * fresh distributed deployment is usable in any start order; every other key is unknown until then.
 * Once the table holds the admin key's row, the row wins (a revoked admin key stays revoked).
 */
@Injectable()
export class PgApiKeyLookup implements ApiKeyLookup {
  private readonly cache = new Map<string, { row: StoredApiKey | null; until: number }>();
  private readonly configured: StoredApiKey | null;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CONFIG) config: Pick<KairosConfig, 'KAIROS_ADMIN_KEY'>,
  ) {
    const admin = config.KAIROS_ADMIN_KEY;
    this.configured = admin ? { keyId: parseApiKey(admin).keyId, digest: digestApiKey(admin), scopes: ['admin'], revokedAt: null, tenant: DEFAULT_TENANT } : null;
  }

  async findByKeyId(keyId: string): Promise<StoredApiKey | null> {
    const hit = this.cache.get(keyId);
    const now = Date.now();
    if (hit && hit.until > now) return hit.row;
    let row: StoredApiKey | null;
    try {
      const rows = await this.db.query<Row>(`SELECT key_id AS "keyId", digest, scopes, revoked_at AS "revokedAt", to_jsonb(k)->>'tenant' AS tenant FROM api_keys k WHERE key_id = $1`, [keyId]);
      // to_jsonb(k)->>'tenant': a process may start before the gateway added the column (keys are then default's).
      row = rows[0] ? { ...rows[0], tenant: rows[0].tenant ?? DEFAULT_TENANT, scopes: rows[0].scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)) } : null;
    } catch (err) {
      if (!isUndefinedTable(err)) throw err;
      row = null;
    }
    if (!row && this.configured?.keyId === keyId) row = this.configured;
    // Unknown ids are not cached: a key created a moment ago in another process works at once.
    if (row) this.cache.set(keyId, { row, until: now + API_KEY_CACHE_MS });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return row;
  }

  /** Drops a key from the cache (this process revoked or created it). */
  forget(keyId: string): void {
    this.cache.delete(keyId);
  }
}

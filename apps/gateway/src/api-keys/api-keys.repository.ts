import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import type { ApiKeyScope } from '@kairos/platform';

export const API_KEYS_REPOSITORY = Symbol('GATEWAY_API_KEYS_REPOSITORY');

/** A stored key as the API shows it: never the digest, never the key. */
export interface ApiKeyRecord {
  /** The key id (public part of the key, `kairos_<id>_…`). */
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** The tenant the key belongs to. */
  tenant: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewApiKeyRow {
  keyId: string;
  digest: string;
  name: string;
  scopes: ApiKeyScope[];
  tenant: string;
  createdBy: string;
}

export type RevokeResult = { kind: 'revoked' | 'already-revoked'; key: ApiKeyRecord } | { kind: 'not-found' } | { kind: 'last-admin' };

export interface ApiKeysRepository {
  insert(row: NewApiKeyRow): Promise<ApiKeyRecord>;
  list(): Promise<ApiKeyRecord[]>;
  /** Inserts the row unless a key with its id exists; true when inserted. */
  insertIfAbsent(row: NewApiKeyRow): Promise<boolean>;
  /** Inserts the row only while the table holds no key at all (first start, replicas racing): true when inserted. */
  insertIfEmpty(row: NewApiKeyRow): Promise<boolean>;
  /** Revokes a key unless it is the last active admin key (that would lock everyone out). */
  revoke(keyId: string, at: Date): Promise<RevokeResult>;
}

const COLUMNS = `key_id AS "id", name, scopes, tenant, created_by AS "createdBy", created_at AS "createdAt", revoked_at AS "revokedAt"`;
/** Serialises first-start key creation between gateway replicas sharing a database. */
const BOOTSTRAP_LOCK = 727275;

@Injectable()
export class PgApiKeysRepository implements ApiKeysRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(r: NewApiKeyRow): Promise<ApiKeyRecord> {
    const rows = await this.db.query<ApiKeyRecord>(`INSERT INTO api_keys (key_id, digest, name, scopes, created_by, tenant) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`, [r.keyId, r.digest, r.name, r.scopes, r.createdBy, r.tenant]);
    return rows[0];
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.db.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, key_id`);
  }

  async insertIfAbsent(r: NewApiKeyRow): Promise<boolean> {
    const rows = await this.db.query(`INSERT INTO api_keys (key_id, digest, name, scopes, created_by, tenant) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_id) DO NOTHING RETURNING key_id`, [r.keyId, r.digest, r.name, r.scopes, r.createdBy, r.tenant]);
    return rows.length === 1;
  }

  insertIfEmpty(r: NewApiKeyRow): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
      const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys`);
      if (n > 0) return false;
      await tx.query(`INSERT INTO api_keys (key_id, digest, name, scopes, created_by, tenant) VALUES ($1, $2, $3, $4, $5, $6)`, [r.keyId, r.digest, r.name, r.scopes, r.createdBy, r.tenant]);
      return true;
    });
  }

  revoke(keyId: string, at: Date): Promise<RevokeResult> {
    return this.db.transaction(async (tx): Promise<RevokeResult> => {
      await tx.query(`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
      const [key] = await tx.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys WHERE key_id = $1`, [keyId]);
      if (!key) return { kind: 'not-found' };
      if (key.revokedAt) return { kind: 'already-revoked', key };
      if (key.scopes.includes('admin')) {
        const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys WHERE revoked_at IS NULL AND 'admin' = ANY(scopes) AND key_id <> $1`, [keyId]);
        if (n === 0) return { kind: 'last-admin' };
      }
      const [revoked] = await tx.query<ApiKeyRecord>(`UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 RETURNING ${COLUMNS}`, [keyId, at]);
      return { kind: 'revoked', key: revoked };
    });
  }
}

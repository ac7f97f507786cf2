import pino from 'pino';
import { ApiKeyError, digestApiKey, generateApiKey, loadConfig, verifyApiKey, type ApiKeyScope } from '@kairos/platform';
import type { ApiKeyLookup, StoredApiKey } from '@kairos/runtime';
import { GatewayError } from '../errors/gateway.errors';
import type { ApiKeyRecord, ApiKeysRepository, NewApiKeyRow, RevokeResult } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/** The repository and the lookup over one in-memory table, with the repository's contract. */
class MemoryKeys implements ApiKeysRepository, ApiKeyLookup {
  readonly rows = new Map<string, NewApiKeyRow & { createdAt: Date; revokedAt: Date | null }>();
  private record(r: NewApiKeyRow & { createdAt: Date; revokedAt: Date | null }): ApiKeyRecord {
    return { id: r.keyId, name: r.name, scopes: r.scopes, tenant: r.tenant, createdBy: r.createdBy, createdAt: r.createdAt, revokedAt: r.revokedAt };
  }
  async insert(r: NewApiKeyRow): Promise<ApiKeyRecord> {
    const row = { ...r, createdAt: new Date(0), revokedAt: null };
    this.rows.set(r.keyId, row);
    return this.record(row);
  }
  async list(): Promise<ApiKeyRecord[]> {
    return [...this.rows.values()].map((r) => this.record(r));
  }
  async insertIfAbsent(r: NewApiKeyRow): Promise<boolean> {
    if (this.rows.has(r.keyId)) return false;
    await this.insert(r);
    return true;
  }
  async insertIfEmpty(r: NewApiKeyRow): Promise<boolean> {
    if (this.rows.size > 0) return false;
    await this.insert(r);
    return true;
  }
  async revoke(keyId: string, at: Date): Promise<RevokeResult> {
    const row = this.rows.get(keyId);
    if (!row) return { kind: 'not-found' };
    if (row.revokedAt) return { kind: 'already-revoked', key: this.record(row) };
    if (row.scopes.includes('admin') && ![...this.rows.values()].some((r) => r !== row && !r.revokedAt && r.scopes.includes('admin'))) return { kind: 'last-admin' };
    row.revokedAt = at;
    return { kind: 'revoked', key: this.record(row) };
  }
  async findByKeyId(keyId: string): Promise<StoredApiKey | null> {
    const r = this.rows.get(keyId);
    return r ? { keyId, digest: r.digest, scopes: r.scopes, revokedAt: r.revokedAt, tenant: r.tenant } : null;
  }
}

function setup(env: Record<string, string> = {}) {
  const keys = new MemoryKeys();
  const printed: string[] = [];
  const config = loadConfig({}, { LOG_LEVEL: 'silent', ...env });
  const service = new ApiKeysService(keys, keys, config, pino({ level: 'silent' }), { now: () => Date.parse('2026-11-30T00:00:00Z') }, (t) => printed.push(t));
  return { keys, printed, service };
}

// A key's secret is everything after 'kairos_<16 hex>_' (24 characters): base64url may itself contain '_'.
describe('ApiKeysService', () => {
  it('first start without KAIROS_ADMIN_KEY: generates an admin key, prints it once, stores only its digest', async () => {
    const { keys, printed, service } = setup();
    await service.onApplicationBootstrap();
    expect(printed).toHaveLength(1);
    const token = /kairos_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(printed[0])![0];
    const [row] = [...keys.rows.values()];
    expect(row).toMatchObject({ scopes: ['admin'], createdBy: 'first-start', digest: digestApiKey(token) });
    expect(JSON.stringify([...keys.rows.values()])).not.toContain(token.slice(24));
    // A restart (the table is not empty) prints nothing and creates nothing.
    await service.onApplicationBootstrap();
    expect(printed).toHaveLength(1);
    expect(keys.rows.size).toBe(1);
  });

  it('KAIROS_ADMIN_KEY: stored once as a digest, never printed', async () => {
    const admin = generateApiKey();
    const { keys, printed, service } = setup({ KAIROS_ADMIN_KEY: admin.token });
    await service.onApplicationBootstrap();
    await service.onApplicationBootstrap();
    expect(printed).toEqual([]);
    expect([...keys.rows.values()]).toEqual([expect.objectContaining({ keyId: admin.keyId, digest: admin.digest, scopes: ['admin'] })]);
  });

  it('creates a key that is returned once and verifies; lists without secrets', async () => {
    const { service, keys } = setup();
    const created = await service.create({ name: 'ci', scopes: ['submit', 'submit'] as ApiKeyScope[] }, 'admin-id', 'default');
    expect(created.scopes).toEqual(['submit']);
    expect(verifyApiKey(created.key, keys.rows.get(created.id)!.digest)).toBe(true);
    expect(await service.verify(created.key)).toEqual({ keyId: created.id, scopes: ['submit'], tenant: 'default' });
    const listed = JSON.stringify(await service.list());
    expect(listed).not.toContain(created.key.slice(24));
    expect(listed).not.toContain('digest');
  });

  it('a key belongs to the tenant named, else to its creator\'s; the bootstrap admin key to default', async () => {
    const { service, keys } = setup();
    await service.onApplicationBootstrap();
    expect([...keys.rows.values()][0].tenant).toBe('default');
    const own = await service.create({ name: 'a', scopes: ['read'] }, 'x', 'team-a');
    const other = await service.create({ name: 'b', scopes: ['read'], tenant: 'team-b' }, 'x', 'team-a');
    expect([own.tenant, other.tenant]).toEqual(['team-a', 'team-b']);
    expect((await service.verify(other.key)).tenant).toBe('team-b');
  });

  it('revokes: 404 for an unknown id, refuses the last admin key, a revoked key no longer verifies', async () => {
    const { service } = setup();
    const admin = await service.create({ name: 'a', scopes: ['admin'] }, 'x', 'default');
    const reader = await service.create({ name: 'r', scopes: ['read'] }, 'x', 'default');
    await expect(service.revoke('0123456789abcdef', 'x')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
    await expect(service.revoke(admin.id, 'x')).rejects.toBeInstanceOf(GatewayError);
    await expect(service.revoke(admin.id, 'x')).rejects.toMatchObject({ code: 'LAST_ADMIN_KEY' });
    expect((await service.revoke(reader.id, 'x')).revokedAt).toEqual(new Date('2026-11-30T00:00:00Z'));
    await expect(service.verify(reader.key)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    await expect(service.verify(reader.key.slice(0, -1) + (reader.key.endsWith('A') ? 'B' : 'A'))).rejects.toBeInstanceOf(ApiKeyError);
    await expect(service.verify('nope')).rejects.toMatchObject({ code: 'KEY_MALFORMED' });
  });
});

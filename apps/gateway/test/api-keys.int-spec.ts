import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, withBaseline } from '@kairos/persistence';
import { generateApiKey } from '@kairos/platform';
import { PgApiKeyLookup } from '@kairos/runtime';
import { createTestDatabase } from '@kairos/testing';
import { PgApiKeysRepository } from '../src/api-keys/api-keys.repository';
import { GATEWAY_MIGRATIONS } from '../src/gateway.module';

// The api_keys table on PostgreSQL: the gateway's repository writes, every service's lookup reads.
describe('api_keys on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  let repo: PgApiKeysRepository;
  const row = (scopes: Array<'read' | 'admin'>, name = 'k', tenant = 'default') => {
    const k = generateApiKey();
    return { key: k, row: { keyId: k.keyId, digest: k.digest, name, scopes, tenant, createdBy: 'test' } };
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(GATEWAY_MIGRATIONS) });
    repo = new PgApiKeysRepository(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('first start: of 8 replicas racing on an empty table exactly one inserts its admin key', async () => {
    const candidates = Array.from({ length: 8 }, () => row(['admin'], 'admin (first start)'));
    const won = await Promise.all(candidates.map((c) => repo.insertIfEmpty(c.row)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await repo.list()).toHaveLength(1);
    const again = row(['admin']);
    expect(await repo.insertIfEmpty(again.row)).toBe(false);
    expect(await repo.insertIfAbsent(again.row)).toBe(true);
    expect(await repo.insertIfAbsent(again.row)).toBe(false);
  });

  it('lists without digests; revokes, keeping the last admin key; the lookup sees scopes and revocation', async () => {
    const reader = row(['read'], 'reader');
    const inserted = await repo.insert(reader.row);
    expect(inserted).toEqual({ id: reader.key.keyId, name: 'reader', scopes: ['read'], tenant: 'default', createdBy: 'test', createdAt: expect.any(Date), revokedAt: null });
    expect(JSON.stringify(await repo.list())).not.toContain(reader.key.digest);
    const lookup = new PgApiKeyLookup(db, {});
    expect(await lookup.findByKeyId(reader.key.keyId)).toEqual({ keyId: reader.key.keyId, digest: reader.key.digest, scopes: ['read'], revokedAt: null, tenant: 'default' });
    expect(await lookup.findByKeyId('0123456789abcdef')).toBeNull();
    const at = new Date('2026-11-30T01:00:00Z');
    expect(await repo.revoke(reader.key.keyId, at)).toMatchObject({ kind: 'revoked', key: { revokedAt: at } });
    expect(await repo.revoke(reader.key.keyId, at)).toMatchObject({ kind: 'already-revoked' });
    expect(await repo.revoke('0123456789abcdef', at)).toEqual({ kind: 'not-found' });
    lookup.forget(reader.key.keyId);
    expect((await lookup.findByKeyId(reader.key.keyId))?.revokedAt).toEqual(at);
    const admins = (await repo.list()).filter((k) => k.scopes.includes('admin'));
    expect(admins).toHaveLength(2);
    expect((await repo.revoke(admins[0].id, at)).kind).toBe('revoked');
    expect(await repo.revoke(admins[1].id, at)).toEqual({ kind: 'last-admin' });
  });

  it('a database without the table (a service started before the gateway migrated it) accepts only KAIROS_ADMIN_KEY', async () => {
    const bare = await createTestDatabase();
    const bareDb = await Database.open({ url: bare.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline() });
    try {
      const admin = generateApiKey();
      const lookup = new PgApiKeyLookup(bareDb, { KAIROS_ADMIN_KEY: admin.token });
      expect(await lookup.findByKeyId(admin.keyId)).toEqual({ keyId: admin.keyId, digest: admin.digest, scopes: ['admin'], revokedAt: null, tenant: 'default' });
      expect(await lookup.findByKeyId(generateApiKey().keyId)).toBeNull();
    } finally {
      await bareDb.close();
      await bare.drop();
    }
  });
});

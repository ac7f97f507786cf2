import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnvelope } from '@kairos/contracts';
import { Database } from './database';
import { appendToOutbox, CreateOutbox1732350000000, OutboxRelay, type OutboxPublisher } from './outbox';

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe.each([
  ['PostgreSQL server', PG_URL],
  ['embedded PGlite', undefined],
])('Database on %s', (_name, url) => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-db-'));
    db = await Database.open({ url, dataDir: dir, migrations: [CreateOutbox1732350000000] });
    await db.query(`DELETE FROM outbox WHERE producer = 'persistence-test'`);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back a failed transaction and keeps committed outbox rows', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    const env = () => makeEnvelope('node.heartbeat.v1', 'n1', { nodeId: 'n1', executorId: 'e', cpuMillis: 1, memMb: 1, running: 0, at: new Date().toISOString() });
    await expect(
      db.transaction(async (tx) => {
        await appendToOutbox(tx, 'persistence-test', [env()]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction((tx) => appendToOutbox(tx, 'persistence-test', [env(), env()]));
    const rows = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM outbox WHERE producer = 'persistence-test'`);
    expect(rows[0].n).toBe('2');
    void id;
  });

  it('relays committed events exactly once per row, in order', async () => {
    // The relay's publisher port (the bus satisfies it; persistence does not import the bus).
    const got: string[] = [];
    const bus: OutboxPublisher = { publishBatch: async (events) => void got.push(...events.map((e) => e.eventId)) };
    const relay = new OutboxRelay(db, bus, 'persistence-test', (e) => {
      throw e;
    });
    await relay.flushAll();
    await relay.flushAll();
    const rows = await db.query<{ event_id: string }>(`SELECT event_id FROM outbox WHERE producer = 'persistence-test' ORDER BY id`);
    expect(got).toEqual(rows.map((r) => r.event_id));
    const pending = await db.query(`SELECT 1 FROM outbox WHERE producer = 'persistence-test' AND published_at IS NULL`);
    expect(pending).toHaveLength(0);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnvelope } from '@kairos/contracts';
import { Database } from './database';
import { PgliteWorkerPool } from './pglite-worker.pool';
import { classifyStorageFailure } from './storage-failure';
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

  it('answers with the same value types and SQLSTATE errors as a PostgreSQL server', async () => {
    const [row] = await db.query<{ at: Date; doc: { a: number[] }; flag: boolean; bytes: Uint8Array; n: number; big: string | bigint }>(
      `SELECT '2026-11-30T10:00:00Z'::timestamptz AS at, $1::jsonb AS doc, $2::boolean AS flag, '\\x0102'::bytea AS bytes, 7::int AS n, 9007199254740993::bigint AS big`,
      [JSON.stringify({ a: [1, 2] }), true],
    );
    expect(Object.prototype.toString.call(row.at)).toBe('[object Date]'); // a Date (from the worker's realm under jest)
    expect(row.at.toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(row.doc).toEqual({ a: [1, 2] });
    expect(row.flag).toBe(true);
    expect(Array.from(row.bytes)).toEqual([1, 2]);
    expect(row.n).toBe(7);
    expect(String(row.big)).toBe('9007199254740993');
    await db.query(`CREATE TEMP TABLE IF NOT EXISTS uniq_probe (k int PRIMARY KEY)`);
    await db.query(`INSERT INTO uniq_probe VALUES (1) ON CONFLICT DO NOTHING`);
    const err = await db.query(`INSERT INTO uniq_probe VALUES ($1)`, [1]).catch((e: unknown) => e);
    expect((err as { driverError?: { code?: string } }).driverError?.code).toBe('23505');
    expect((err as { driverError?: { constraint?: string } }).driverError?.constraint).toBe('uniq_probe_pkey');
    expect(classifyStorageFailure(err)).toBeNull();
  });
});

describe('embedded PGlite in its worker thread', () => {
  it('keeps the event loop running while a statement executes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-db-'));
    const db = await Database.open({ dataDir: dir, migrations: [] });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const started = Date.now();
      await db.query(`SELECT count(*) FROM generate_series(1, 3000000) g WHERE g % 7 = 3`);
      const took = Date.now() - started;
      clearInterval(timer);
      // In-process, PGlite held the thread for the whole statement: no timer could fire until it returned.
      if (took >= 300) expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails every statement as a storage failure (SQLSTATE 58000) once the thread has stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-db-'));
    const pool = new PgliteWorkerPool(dir);
    const errors: Error[] = [];
    pool.on('error', (e: Error) => errors.push(e));
    try {
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await (pool as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      const err = await pool.query('SELECT 1').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('58000');
      expect(classifyStorageFailure(err)?.code).toBe('STORAGE_UNAVAILABLE');
      expect(errors).toHaveLength(1);
    } finally {
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

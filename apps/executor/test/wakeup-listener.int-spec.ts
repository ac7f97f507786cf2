import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, withBaseline } from '@kairos/persistence';
import { createTestDatabase, KickCounter, testIdentity } from '@kairos/testing';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { WakeupListener } from '../src/execution/wakeup-listener';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kicksAfter(counter: KickCounter, act: () => Promise<unknown>): Promise<number> {
  const before = counter.kicks;
  await act();
  await sleep(300); // NOTIFY is delivered at commit, asynchronously
  return counter.kicks - before;
}

/**
 * Cross-replica wake-ups on a real PostgreSQL server: the `tasks` triggers notify `kairos_wakeup` on new
 * work and on freed capacity, and every executor's listener kicks its scheduling pass.
 */
describe('WakeupListener (PostgreSQL LISTEN/NOTIFY)', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  // Two replicas' listeners on one database.
  const a = new KickCounter();
  const b = new KickCounter();
  let listeners: WakeupListener[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
    listeners = [a, b].map((k, i) => new WakeupListener({ DATABASE_URL: tdb.url }, k, testIdentity('executor', `exec-${i}`)));
    await Promise.all(listeners.map((l) => l.onApplicationBootstrap()));
  });
  afterAll(async () => {
    await Promise.all(listeners.map((l) => l.beforeApplicationShutdown()));
    await db?.close();
    await tdb?.drop();
  });

  const insert = (ids: string[]) =>
    db.query(
      `INSERT INTO tasks (id, queue, priority, run, resources, timeout_ms, max_attempts, status)
       SELECT id, 'q', 50, '{"kind":"noop","sleepMs":0}', '{"cpuMillis":1,"memMb":1,"gpu":0}', 60000, 1, 'queued' FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
  const setStatus = (ids: string[], status: string) => db.query(`UPDATE tasks SET status = $2 WHERE id = ANY($1::uuid[])`, [ids, status]);

  it('wakes every replica once per committed statement that adds work or changes a status', async () => {
    const ids = Array.from({ length: 50 }, () => randomUUID());
    expect(await kicksAfter(a, () => insert(ids))).toBe(1); // 50 rows, one statement: one notification
    expect(b.kicks).toBe(1);
    expect(await kicksAfter(a, () => setStatus(ids, 'running'))).toBe(1); // a claim: the node's executor adopts it
    expect(await kicksAfter(a, () => setStatus(ids.slice(0, 10), 'succeeded'))).toBe(1); // ends free it (folded per transaction)
    expect(await kicksAfter(b, () => setStatus(ids.slice(10, 20), 'queued'))).toBe(1); // a requeue is work again
    expect(await kicksAfter(a, () => setStatus(ids.slice(0, 10), 'succeeded'))).toBe(0); // no status change
    expect(listeners.map((l) => l.received)).toEqual([4, 4]);
  });

  it('reconnects after its connection is terminated and hears the next notification', async () => {
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kairos-executor-wakeup' AND datname = current_database()`);
    await sleep(1_500); // RECONNECT_MS + connect
    expect(await kicksAfter(a, () => insert([randomUUID()]))).toBe(1);
  });
});

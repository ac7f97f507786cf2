import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, withBaseline } from '@kairos/persistence';
import { createTestDatabase } from '@kairos/testing';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { PgAttemptProcessRepository, type AttemptProcessRecord } from '../src/execution/attempt-process.repository';

// attempt_processes against a real PostgreSQL server: what a sweep reads back is what was recorded.
describe('AttemptProcessRepository on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  let repo: PgAttemptProcessRepository;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
    repo = new PgAttemptProcessRepository(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const rec = (over: Partial<AttemptProcessRecord>): AttemptProcessRecord => ({
    taskId: randomUUID(),
    attempt: 1,
    host: 'host-a',
    bootId: 'boot-1',
    pid: 4_194_000,
    pgid: 4_194_000,
    // Start times are clock ticks since boot: beyond 2^31 after ~250 days at 100 Hz, so bigint.
    startTime: 2 ** 33 + 7,
    executorPid: 1234,
    executorStartTime: 2 ** 32 + 1,
    ...over,
  });

  it('records, lists the open rows of a host (optionally of one task), and closes them', async () => {
    const a1 = rec({});
    const a2 = rec({ taskId: a1.taskId, attempt: 2, pid: 5, pgid: 5 });
    const other = rec({});
    const elsewhere = rec({ host: 'host-b' });
    for (const r of [a1, a2, other, elsewhere]) await repo.record(r);
    expect(await repo.open('host-a')).toEqual([a1, a2, other]);
    expect(await repo.open('host-a', a1.taskId)).toEqual([a1, a2]);
    await repo.markEnded(a1.taskId, 1, 'terminated: swept at executor start');
    await repo.markEnded(a1.taskId, 1, 'later');
    expect(await repo.open('host-a', a1.taskId)).toEqual([a2]);
    const row = await db.query<{ end_reason: string }>(`SELECT end_reason FROM attempt_processes WHERE task_id = $1 AND attempt = 1`, [a1.taskId]);
    expect(row).toEqual([{ end_reason: 'terminated: swept at executor start' }]);
  });

  it('recording the same attempt again (a retried insert whose first try committed) replaces it, not fails', async () => {
    const r = rec({});
    await repo.record(r);
    await repo.markEnded(r.taskId, 1, 'succeeded');
    await repo.record({ ...r, pid: 99, pgid: 99 });
    expect(await repo.open('host-a', r.taskId)).toEqual([{ ...r, pid: 99, pgid: 99 }]);
  });
});

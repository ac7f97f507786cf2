import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEnvelope } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { createTestDatabase } from '@kairos/testing';
import { PgNodeRepository } from '../src/execution/node.repository';
import { PgTaskRepository } from '../src/tasks/task.repository';

const repository = (db: Database, executorId: string, leaseMs: number, random?: () => number): PgTaskRepository => {
  const repo = new PgTaskRepository(db, { executorId, leaseMs });
  if (random) repo.random = random;
  return repo;
};

// Claims, fencing and lease recovery against a real PostgreSQL server.
describe('TaskRepository on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const insertTasks = async (n: number, maxAttempts = 1): Promise<string[]> => {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const id of ids) {
      await db.query(
        `INSERT INTO tasks (id, queue, priority, run, resources, timeout_ms, max_attempts, status) VALUES ($1, 'q', 50, '{"kind":"noop","sleepMs":0}', '{"cpuMillis":1,"memMb":1,"gpu":0}', 60000, $2, 'queued')`,
        [id, maxAttempts],
      );
    }
    return ids;
  };

  it('never lets two executors claim the same task, even when they race', async () => {
    const ids = await insertTasks(200);
    const a = repository(db, 'exec-a', 60_000);
    const b = repository(db, 'exec-b', 60_000);
    const all = ids.map((taskId) => ({ taskId, nodeId: 'n' }));
    const [ca, cb] = await Promise.all([a.claim(all), b.claim(all)]);
    const claimed = [...ca, ...cb].map((c) => c.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(200);
    const attempts = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM attempts WHERE task_id = ANY($1::uuid[])`, [ids]);
    expect(attempts[0].n).toBe(200);
  });

  it('fences a completion from an executor whose lease was recovered, and retries the task elsewhere', async () => {
    const [id] = await insertTasks(1, 1);
    const a = repository(db, 'exec-a', 1000);
    const b = repository(db, 'exec-b', 60_000);
    const [claimed] = await a.claim([{ taskId: id, nodeId: 'na' }]);
    await db.query(`UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    const recovered = await b.recoverExpiredLeases();
    expect(recovered).toContainEqual({ id, status: 'queued', nodeId: 'na', attempt: 1, leaseOwner: 'exec-a', lostCount: 1, reason: 'attempt 1 lost: executor exec-a stopped renewing its lease' });
    // The old executor finishes late: nothing changes.
    expect(await a.completeAttempt(claimed, { outcome: 'succeeded', exitCode: 0, outputTail: '', error: null, durationMs: 5 })).toBeNull();
    const [again] = await b.claim([{ taskId: id, nodeId: 'nb' }]);
    expect(again.attempt).toBe(2);
    expect(await b.completeAttempt(again, { outcome: 'succeeded', exitCode: 0, outputTail: 'ok', error: null, durationMs: 5 })).toBe('succeeded');
    const rows = await db.query<{ attempt: number; status: string }>(`SELECT attempt, status FROM attempts WHERE task_id = $1 ORDER BY attempt`, [id]);
    expect(rows).toEqual([{ attempt: 1, status: 'lost' }, { attempt: 2, status: 'succeeded' }]);
    const events = await db.query<{ topic: string }>(`SELECT topic FROM outbox WHERE key = $1 ORDER BY id`, [id]);
    expect(events.map((e) => e.topic)).toEqual(['task.started.v1', 'task.attempt.lost.v1', 'task.started.v1', 'task.completed.v1']);
    const [lost] = await db.query<{ envelope: { payload: Record<string, unknown> } }>(`SELECT envelope FROM outbox WHERE key = $1 AND topic = 'task.attempt.lost.v1'`, [id]);
    expect(lost.envelope.payload).toMatchObject({ taskId: id, attempt: 1, nodeId: 'na', executorId: 'exec-a', next: 'queued', reason: 'attempt 1 lost: executor exec-a stopped renewing its lease' });
    expect(decodeEnvelope('task.attempt.lost.v1', JSON.stringify(lost.envelope)).payload).toMatchObject({ next: 'queued' });
  });

  it('a restarted executor (same id) requeues at once what its previous incarnation was running; other executors keep theirs', async () => {
    const [mine, theirs] = await insertTasks(2, 1);
    const before = repository(db, 'exec-stable', 60_000);
    const other = repository(db, 'exec-other', 60_000);
    await before.claim([{ taskId: mine, nodeId: 'n1' }]);
    await other.claim([{ taskId: theirs, nodeId: 'n2' }]);
    // The process dies; the new one, with the same id, starts long before the lease would expire.
    const after = repository(db, 'exec-stable', 60_000);
    expect(await after.recoverOwnLeases()).toEqual([
      { id: mine, status: 'queued', nodeId: 'n1', attempt: 1, leaseOwner: 'exec-stable', lostCount: 1, reason: 'attempt 1 lost: executor exec-stable restarted while running it' },
    ]);
    const rows = await db.query<{ id: string; status: string; lease_owner: string | null; lost_count: number }>(`SELECT id, status, lease_owner, lost_count FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY id = $2 DESC`, [[mine, theirs], mine]);
    expect(rows).toEqual([
      { id: mine, status: 'queued', lease_owner: null, lost_count: 1 },
      { id: theirs, status: 'running', lease_owner: 'exec-other', lost_count: 0 },
    ]);
    const attempt = await db.query<{ status: string; error: string }>(`SELECT status, error FROM attempts WHERE task_id = $1`, [mine]);
    expect(attempt).toEqual([{ status: 'lost', error: 'attempt 1 lost: executor exec-stable restarted while running it' }]);
    // Its retry budget is intact (maxAttempts 1): it runs again and succeeds.
    const [again] = await after.claim([{ taskId: mine, nodeId: 'n1' }]);
    expect(again.attempt).toBe(2);
    expect(await after.completeAttempt(again, { outcome: 'succeeded', exitCode: 0, outputTail: '', error: null, durationMs: 1 })).toBe('succeeded');
    expect(await after.recoverOwnLeases()).toEqual([]);
  });

  it('marks silent nodes lost, retires those silent past NODE_RETIRE_AFTER_MS, and a returning node is ready again', async () => {
    const nodes = new PgNodeRepository(db);
    const beat = (id: string) => nodes.heartbeat({ id, executorId: 'e', cpuMillis: 1000, memMb: 512, status: 'ready', running: 0 });
    for (const id of ['fresh', 'quiet', 'gone']) await beat(id);
    await db.query(`UPDATE nodes SET last_heartbeat_at = now() - interval '30 seconds' WHERE id = 'quiet'`);
    await db.query(`UPDATE nodes SET last_heartbeat_at = now() - interval '2 hours' WHERE id = 'gone'`);
    await nodes.markLost(6_000, 3_600_000);
    const status = async () => Object.fromEntries((await db.query<{ id: string; status: string }>(`SELECT id, status FROM nodes WHERE id IN ('fresh', 'quiet', 'gone')`)).map((r) => [r.id, r.status]));
    expect(await status()).toEqual({ fresh: 'ready', quiet: 'lost', gone: 'retired' });
    // A lost node is retired once it has been silent long enough.
    await db.query(`UPDATE nodes SET last_heartbeat_at = now() - interval '2 hours' WHERE id = 'quiet'`);
    await nodes.markLost(6_000, 3_600_000);
    expect((await status()).quiet).toBe('retired');
    await beat('gone');
    expect((await status()).gone).toBe('ready');
  });

  it('group-commits concurrent completions: each task gets its own status, attempt row and (terminal) event', async () => {
    const ids = await insertTasks(20, 2);
    const repo = repository(db, 'exec-a', 60_000, () => 0);
    const claimed = await repo.claim(ids.map((taskId) => ({ taskId, nodeId: 'n' })));
    expect(claimed).toHaveLength(20);
    await db.query(`UPDATE tasks SET lease_owner = 'exec-other' WHERE id = $1`, [claimed[19].id]); // fenced
    const statuses = await Promise.all(
      claimed.map((c, i) =>
        repo.completeAttempt(c, i % 2 ? { outcome: 'failed', exitCode: 3, outputTail: `out ${i}`, error: 'exit code 3', durationMs: i } : { outcome: 'succeeded', exitCode: 0, outputTail: `out ${i}`, error: null, durationMs: i }),
      ),
    );
    expect(statuses).toEqual(claimed.map((_, i) => (i === 19 ? null : i % 2 ? 'queued' : 'succeeded')));
    const rows = await db.query<{ id: string; status: string; output_tail: string | null; a_status: string; duration_ms: number }>(
      `SELECT t.id, t.status, t.output_tail, a.status AS a_status, a.duration_ms FROM tasks t JOIN attempts a ON a.task_id = t.id WHERE t.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    claimed.forEach((c, i) => {
      const r = byId.get(c.id)!;
      expect(r.a_status).toBe(i === 19 ? 'abandoned' : i % 2 ? 'failed' : 'succeeded');
      expect(r.duration_ms).toBe(i);
      if (i !== 19) expect([r.status, r.output_tail]).toEqual([i % 2 ? 'queued' : 'succeeded', `out ${i}`]);
    });
    const events = await db.query<{ key: string }>(`SELECT key FROM outbox WHERE topic = 'task.completed.v1' AND key = ANY($1::text[])`, [ids]);
    expect(events.map((e) => e.key).sort()).toEqual(claimed.filter((_, i) => i % 2 === 0).map((c) => c.id).sort());
  });

  it('records a fenced completion as abandoned and publishes nothing when the lease is no longer ours', async () => {
    const [id] = await insertTasks(1, 1);
    const a = repository(db, 'exec-a', 60_000);
    const [claimed] = await a.claim([{ taskId: id, nodeId: 'na' }]);
    await db.query(`UPDATE tasks SET lease_owner = 'exec-other' WHERE id = $1`, [id]);
    expect(await a.completeAttempt(claimed, { outcome: 'succeeded', exitCode: 0, outputTail: 'late', error: null, durationMs: 5 })).toBeNull();
    expect(await db.query(`SELECT status, duration_ms FROM attempts WHERE task_id = $1`, [id])).toEqual([{ status: 'abandoned', duration_ms: 5 }]);
    expect(await db.query(`SELECT status FROM tasks WHERE id = $1`, [id])).toEqual([{ status: 'running' }]);
    expect(await db.query(`SELECT 1 FROM outbox WHERE key = $1 AND topic = 'task.completed.v1'`, [id])).toHaveLength(0);
  });

  it('retries a failed attempt after back-off, then fails terminally with one completed event', async () => {
    const [id] = await insertTasks(1, 2);
    const repo = repository(db, 'exec-a', 60_000, () => 0.5); // full jitter: U[0, 1 s) at attempt 1, so the draw 0.5 holds the retry back 0.5 s
    const [first] = await repo.claim([{ taskId: id, nodeId: 'n' }]);
    expect(await repo.completeAttempt(first, { outcome: 'failed', exitCode: 1, outputTail: '', error: 'exit code 1', durationMs: 1 })).toBe('queued');
    const [{ wait }] = await db.query<{ wait: number }>(`SELECT extract(epoch FROM run_after - now())::float AS wait FROM tasks WHERE id = $1`, [id]);
    expect(wait).toBeGreaterThan(0.1);
    expect(await repo.listReady(['q'])).not.toContainEqual(expect.objectContaining({ id }));
    await db.query(`UPDATE tasks SET run_after = now() WHERE id = $1`, [id]);
    const [second] = await repo.claim([{ taskId: id, nodeId: 'n' }]);
    expect(await repo.completeAttempt(second, { outcome: 'failed', exitCode: 1, outputTail: '', error: 'exit code 1', durationMs: 1 })).toBe('failed');
    const completed = await db.query(`SELECT 1 FROM outbox WHERE key = $1 AND topic = 'task.completed.v1'`, [id]);
    expect(completed).toHaveLength(1);
  });
});

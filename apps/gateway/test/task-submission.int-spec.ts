import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEnvelope, SubmitTaskSchema } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { GATEWAY_MIGRATIONS } from '../src/gateway.module';
import { createTestDatabase } from '@kairos/testing';
import { makeKeyring, secretKeyFromBase64 } from '@kairos/contracts';
import { TaskSecrets, UNRESTRICTED_ACCESS } from '@kairos/runtime';
import { PgTaskRepository } from '../src/tasks/task.repository';
import { TaskSubmissionService } from '../src/tasks/task-submission.service';

// Group-committed submissions against a real PostgreSQL server: concurrent callers, one statement.
describe('TaskSubmissionService on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  let commits = 0;
  let service: TaskSubmissionService;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(GATEWAY_MIGRATIONS) });
    // A gateway-only database (no executor has run): tasks.tenant comes with the baseline.
    service = new TaskSubmissionService(new PgTaskRepository(db), { kick: () => void commits++ }, new TaskSecrets(makeKeyring(secretKeyFromBase64(Buffer.alloc(32, 7).toString('base64'), 'test key')), { envNamePatterns: ['TOKEN', 'SECRET', 'PASSWORD', 'KEY'], headerNames: ['authorization'] }));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const spec = (body: object) => SubmitTaskSchema.parse(body);

  it('stores the submitting tenant on the row and in the queued event; an idempotency key of another tenant is a 409 that names no task', async () => {
    const { task } = await service.submit(spec({ run: { kind: 'noop' }, idempotencyKey: 'tenant-key' }), 'trace', 'team-a');
    expect(task.tenant).toBe('team-a');
    const [row] = await db.query<{ tenant: string }>(`SELECT tenant FROM tasks WHERE id = $1`, [task.id]);
    expect(row.tenant).toBe('team-a');
    const [out] = await db.query<{ envelope: unknown }>(`SELECT envelope FROM outbox WHERE key = $1 AND topic = 'task.queued.v1'`, [task.id]);
    expect(decodeEnvelope('task.queued.v1', JSON.stringify(out.envelope)).payload.tenant).toBe('team-a');
    const err = await service.submit(spec({ run: { kind: 'noop' }, idempotencyKey: 'tenant-key' }), 'trace', 'team-b').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', details: { taskId: undefined } });
    expect((await service.submit(spec({ run: { kind: 'noop' }, idempotencyKey: 'tenant-key' }), 'trace', 'team-a')).created).toBe(false);
  });

  it('stores each of 60 concurrent submissions with exactly one valid queued event, in arrival order', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => service.submit(spec({ name: `t${i}`, run: { kind: 'noop', sleepMs: i } }), `trace-${i}`)),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const ids = results.map((r) => r.task.id);
    expect(new Set(ids).size).toBe(60);
    const rows = await db.query<{ id: string; name: string; created_at: Date }>(`SELECT id, name, created_at FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [ids]);
    expect(rows.map((r) => r.name)).toEqual(results.map((r) => r.task.name)); // FIFO order = call order
    const events = await db.query<{ key: string; envelope: unknown }>(`SELECT key, envelope FROM outbox WHERE topic = 'task.queued.v1' AND key = ANY($1::text[])`, [ids]);
    expect(events).toHaveLength(60);
    const created = new Map(rows.map((r) => [r.id, new Date(r.created_at).toISOString()]));
    for (const e of events) {
      const env = decodeEnvelope('task.queued.v1', JSON.stringify(e.envelope));
      expect(env.payload.submittedAt).toBe(created.get(e.key));
      expect(env.traceId).toMatch(/^trace-\d+$/);
    }
    expect(commits).toBeGreaterThanOrEqual(1);
  });

  it('maps repeated idempotency keys in one batch to the first task and rejects a different task under a used key', async () => {
    const same = spec({ run: { kind: 'noop', sleepMs: 1 }, idempotencyKey: 'dup-1' });
    const [a, b, c] = await Promise.all([
      service.submit(same, 'x'),
      service.submit(same, 'y'),
      service.submit(spec({ run: { kind: 'noop', sleepMs: 2 }, idempotencyKey: 'dup-1' }), 'z').catch((e: Error & { code?: string }) => e),
    ]);
    const ok = [a, b].filter((r): r is Awaited<ReturnType<TaskSubmissionService['submit']>> => !(r instanceof Error));
    expect(ok.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.task.id)).size).toBe(1);
    expect(c).toBeInstanceOf(Error);
    expect((c as Error & { code?: string }).code).toBe('IDEMPOTENCY_CONFLICT');
    const events = await db.query(`SELECT 1 FROM outbox WHERE topic = 'task.queued.v1' AND key = $1`, [ok[0].task.id]);
    expect(events).toHaveLength(1);
  });

  it('answers TASK_NOT_FOUND for an unknown task on a database without the executor\'s task_archive (gateway started first)', async () => {
    expect((await db.query<{ t: string | null }>(`SELECT to_regclass('task_archive')::text AS t`))[0]!.t).toBeNull();
    await expect(service.get('00000000-0000-4000-8000-000000000001', UNRESTRICTED_ACCESS)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});

/* eslint-disable @nx/enforce-module-boundaries -- standalone is the composition root of the four apps (STYLE.md); this test checks that composition: the executor's archive read back by the gateway's reader on PGlite. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Database } from '@kairos/persistence';
import { UNRESTRICTED_ACCESS } from '@kairos/runtime';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';
import { PgTaskRepository } from '../../gateway/src/tasks/task.repository';
import { TaskSubmissionService } from '../../gateway/src/tasks/task-submission.service';
import { PgRetentionRepository } from '../../executor/src/retention/retention.repository';
import { STANDALONE_MIGRATIONS } from './standalone-migrations';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAY_MS = 86_400_000;

// Retention across the apps: the executor archives an expired task, the gateway still answers
// GET /api/tasks/:id for it from the archive (archived: true). On PGlite in process (the SQL of both
// sides on the embedded engine), and through HTTP on a standalone server over PostgreSQL (the module
// wiring, the periodic run and the metrics).
describe('retention archive read back by the gateway', () => {
  it('PGlite: an archived task answers with its row, attempts and events, marked archived', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kairos-retention-pglite-'));
    const db = await Database.open({ dataDir, migrations: STANDALONE_MIGRATIONS });
    try {
      const id = randomUUID();
      const finished = new Date(Date.now() - 40 * DAY_MS).toISOString();
      await db.query(
        `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status, attempts, exit_code, output_tail, created_at, started_at, finished_at)
         VALUES ($1, 'old-one', 'q', 50, '{"kind":"shell","command":["echo","hi"]}', '{"cpuMillis":100,"memMb":64,"gpu":0}', 60000, 1, 'succeeded', 1, 0, 'hi', $2, $2, $2)`,
        [id, finished],
      );
      await db.query(`INSERT INTO attempts (task_id, attempt, node_id, executor_id, status, started_at, finished_at, exit_code, duration_ms) VALUES ($1, 1, 'n1', 'e1', 'succeeded', $2, $2, 0, 7)`, [id, finished]);
      await db.query(`INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at, published_at) VALUES ($1, 'executor', 'task.completed.v1', $2, $3::jsonb, $4, $4)`, [
        randomUUID(),
        id,
        JSON.stringify({ payload: { taskId: id, attempt: 1, status: 'succeeded', exitCode: 0, durationMs: 7 } }),
        finished,
      ]);
      const counts = await new PgRetentionRepository(db).purgeTasks(new Date(Date.now() - 30 * DAY_MS), 500, 'archive');
      expect(counts).toEqual({ tasks: 1, attempts: 1, events: 1 });
      expect(await db.query(`SELECT id FROM tasks WHERE id = $1`, [id])).toEqual([]);
      const gateway = new TaskSubmissionService(new PgTaskRepository(db), { kick: () => undefined }, { seal: (r) => r, redact: (r) => r, sameSpec: () => true });
      const view = await gateway.get(id, UNRESTRICTED_ACCESS);
      expect(view).toMatchObject({
        id,
        name: 'old-one',
        status: 'succeeded',
        outputTail: 'hi',
        finishedAt: finished,
        archived: true,
        attemptsDetail: [{ attempt: 1, nodeId: 'n1', status: 'succeeded', durationMs: 7 }],
        events: [{ topic: 'task.completed.v1', attempt: 1, status: 'succeeded', exitCode: 0 }],
      });
      await expect(gateway.get(randomUUID(), UNRESTRICTED_ACCESS)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      // An archived task stays its tenant's: another tenant's key gets the unknown-id answer.
      expect(view.tenant).toBe('default');
      await expect(gateway.get(id, { tenant: 'other-team', all: false })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      await expect(gateway.get(id, { tenant: 'default', all: false })).resolves.toMatchObject({ id, archived: true });
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('standalone over PostgreSQL (RETENTION_TASKS_DAYS=1, archive, every second)', () => {
    let tdb: { url: string; drop(): Promise<void> };
    let dataDir: string;
    let svc: ServiceProcess;
    const base = () => `http://127.0.0.1:${svc.port}`;
    const get = async <T>(path: string): Promise<{ status: number; data: T }> => {
      const r = await fetch(`${base()}${path}`, { headers: authHeaders() });
      return { status: r.status, data: (await r.json()) as T };
    };

    beforeAll(async () => {
      tdb = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'kairos-retention-'));
      svc = await startService(
        'standalone',
        { DATABASE_URL: tdb.url, DATA_DIR: dataDir, EXECUTOR_NODES: 'r1:4000:8192', RETENTION_TASKS_DAYS: '1', RETENTION_MODE: 'archive', RETENTION_INTERVAL_MS: '1000' },
        'retention-standalone',
      );
      await svc.waitHealthy(120_000);
    }, 180_000);
    afterAll(async () => {
      await svc?.kill();
      await tdb?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('archives a task once it is older than the retention, and GET /api/tasks/:id answers it from the archive', async () => {
      try {
        const r = await fetch(`${base()}/api/tasks`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ name: 'to-archive', run: { kind: 'noop', sleepMs: 10 } }) });
        expect(r.status).toBe(201);
        const { id } = (await r.json()) as { id: string };
        let task = (await get<{ status: string; events: unknown[] }>(`/api/tasks/${id}`)).data;
        for (const until = Date.now() + 60_000; task.status !== 'succeeded' && Date.now() < until; ) {
          await sleep(200);
          task = (await get<{ status: string; events: unknown[] }>(`/api/tasks/${id}`)).data;
        }
        expect(task.status).toBe('succeeded');
        // A fresh task is kept across several runs.
        await sleep(2_500);
        expect((await get<{ archived?: boolean }>(`/api/tasks/${id}`)).data.archived).toBeUndefined();
        // Age it by two days; the next runs archive it.
        const c = new Client({ connectionString: tdb.url });
        await c.connect();
        await c.query(`UPDATE tasks SET created_at = created_at - interval '2 days', started_at = started_at - interval '2 days', finished_at = finished_at - interval '2 days' WHERE id = $1`, [id]);
        await c.end();
        let view = (await get<{ archived?: boolean; status: string; events: Array<{ topic: string }>; attemptsDetail: unknown[] }>(`/api/tasks/${id}`)).data;
        for (const until = Date.now() + 30_000; view.archived !== true && Date.now() < until; ) {
          await sleep(250);
          view = (await get<typeof view>(`/api/tasks/${id}`)).data;
        }
        expect(view).toMatchObject({ id, name: 'to-archive', status: 'succeeded', archived: true });
        expect(view.attemptsDetail).toHaveLength(1);
        expect(view.events.map((e) => e.topic)).toEqual(task.events.map((e) => (e as { topic: string }).topic));
        const gql = await fetch(`${base()}/graphql`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ query: `{ task(id: "${id}") { id status archived archivedAt } }` }) });
        expect(((await gql.json()) as { data: { task: unknown } }).data.task).toEqual({ id, status: 'succeeded', archived: true, archivedAt: expect.any(String) });
        const metrics = await (await fetch(`${base()}/metrics`)).text();
        expect(metrics).toMatch(/kairos_retention_rows_total\{[^}]*kind="tasks"[^}]*action="archived"[^}]*\} [1-9]/);
      } catch (err) {
        process.stderr.write(`standalone output:\n${svc.output()}\n`);
        throw err;
      }
    }, 120_000);
  });
});

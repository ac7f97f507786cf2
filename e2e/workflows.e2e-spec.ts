import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

// DAG workflows through the live platform: standalone mode (one process, in-process bus, PGlite) and
// distributed mode (gateway and two executors as separate processes, mock Kafka, real PostgreSQL).
interface TaskView {
  key: string;
  status: string;
  dependsOn: string[];
  taskId: string | null;
  taskStatus: string | null;
  attempts: number;
  generation: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}
interface WorkflowView {
  id: string;
  status: string;
  generation: number;
  tasks: TaskView[];
  edges: Array<{ from: string; to: string; origin: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('workflows (standalone)', () => {
  let dataDir: string;
  let svc: ServiceProcess;
  const env = () => ({ DATA_DIR: dataDir, EXECUTOR_NODES: 'n1:16000:16384', EXECUTOR_SLOTS: '32' });
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${svc.port}${path}`, { ...init, headers: authHeaders() });
  const submit = async (body: unknown) => {
    const r = await api('/api/workflows', { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as WorkflowView & { message?: string } };
  };
  const get = async (id: string) => (await (await api(`/api/workflows/${id}`)).json()) as WorkflowView;
  const waitDone = async (id: string, timeoutMs = 120_000): Promise<WorkflowView> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const w = await get(id);
      if (w.status !== 'running') return w;
      if (Date.now() > until) throw new Error(`workflow ${id} still running: ${JSON.stringify(w.tasks.map((t) => [t.key, t.status]))}\n${svc.output().slice(-3000)}`);
      await sleep(200);
    }
  };
  const byKey = (w: WorkflowView) => new Map(w.tasks.map((t) => [t.key, t]));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-wf-'));
    svc = await startService('standalone', env());
    await svc.waitHealthy(120_000);
  }, 180_000);

  afterAll(async () => {
    await svc?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('rejects unknown dependency keys and cycles with a 400 naming the field', async () => {
    const unknown = await submit({ name: 'bad', tasks: [{ key: 'a', run: { kind: 'noop' } }, { key: 'b', run: { kind: 'noop' }, dependsOn: ['x'] }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('tasks[1].dependsOn[0]: unknown task key "x"');
    const cycle = await submit({
      name: 'cyc',
      tasks: [
        { key: 'a', run: { kind: 'noop' }, dependsOn: ['c'] },
        { key: 'b', run: { kind: 'noop' }, dependsOn: ['a'] },
        { key: 'c', run: { kind: 'noop' }, inputs: ['b.out'] },
        { key: 'd', run: { kind: 'noop' }, outputs: ['b.out'] },
        { key: 'e', run: { kind: 'noop' }, dependsOn: ['b'], outputs: ['b.out'] },
      ],
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.message).toMatch(/dependency cycle/);
    const shape = await submit({ name: 'shape', tasks: [{ key: 'a', run: { kind: 'shell', command: [] } }] });
    expect(shape.status).toBe(400);
    expect(shape.body.message).toContain('tasks[0].run.command');
  });

  it('runs a 50-task fan-out/fan-in DAG, each task only after all its dependencies finished', async () => {
    const middles = Array.from({ length: 48 }, (_, i) => ({
      key: `m${i}`,
      run: i % 8 === 0 ? { kind: 'shell', command: ['echo', `part ${i}`] } : { kind: 'noop', sleepMs: 10 + (i % 5) * 20 },
      dependsOn: ['start'],
      outputs: [`part-${i}`],
    }));
    // The fan-in depends on the middle tasks only through declared files (inferred edges).
    const tasks = [{ key: 'start', run: { kind: 'noop', sleepMs: 20 } }, ...middles, { key: 'end', run: { kind: 'shell', command: ['echo', 'done'] }, inputs: middles.map((m) => m.outputs[0]) }];
    const created = await submit({ name: 'fan', tasks });
    expect(created.status).toBe(201);
    expect(created.body.tasks.filter((t) => t.taskId !== null).map((t) => t.key)).toEqual(['start']);
    expect(created.body.edges.filter((e) => e.to === 'end' && e.origin === 'file')).toHaveLength(48);

    const w = await waitDone(created.body.id);
    expect(w.status).toBe('succeeded');
    expect(w.tasks).toHaveLength(50);
    const keyed = byKey(w);
    for (const t of w.tasks) {
      expect(t.status).toBe('succeeded');
      expect(t.taskStatus).toBe('succeeded');
      const started = Date.parse(t.startedAt!);
      for (const d of t.dependsOn) expect(started).toBeGreaterThanOrEqual(Date.parse(keyed.get(d)!.finishedAt!));
    }
    expect(keyed.get('end')!.dependsOn).toHaveLength(48);
    const listed = (await (await api('/api/workflows?status=succeeded')).json()) as Array<{ id: string }>;
    expect(listed.map((x) => x.id)).toContain(w.id);
  });

  it('fails downstream of a failing task, then a rerun after the fix keeps succeeded upstream results', async () => {
    const marker = join(dataDir, 'fixed.marker');
    const gated = { kind: 'shell', command: ['sh', '-c', `test -f ${marker} && echo fixed`] };
    const created = await submit({
      name: 'fragile',
      tasks: [
        { key: 'a', run: { kind: 'noop', sleepMs: 10 } },
        { key: 'b', run: gated, dependsOn: ['a'], maxAttempts: 2 },
        { key: 'c', run: { kind: 'noop' }, dependsOn: ['b'] },
        { key: 'd', run: { kind: 'noop' }, dependsOn: ['c'] },
        { key: 'side', run: { kind: 'noop' }, dependsOn: ['a'] },
      ],
    });
    expect(created.status).toBe(201);
    const failed = await waitDone(created.body.id);
    expect(failed.status).toBe('failed');
    const f = byKey(failed);
    expect([f.get('a')!.status, f.get('side')!.status]).toEqual(['succeeded', 'succeeded']);
    expect(f.get('b')!.status).toBe('failed');
    expect(f.get('b')!.attempts).toBe(2);
    const detail = (await (await api(`/api/tasks/${f.get('b')!.taskId}`)).json()) as { attemptsDetail: Array<{ status: string }> };
    expect(detail.attemptsDetail.map((x) => x.status)).toEqual(['failed', 'failed']);
    for (const k of ['c', 'd']) {
      expect(f.get(k)!.status).toBe('upstream_failed');
      expect(f.get(k)!.taskStatus).toBe('upstream_failed');
    }

    const notYet = await api(`/api/workflows/${created.body.id}/rerun`, { method: 'POST', body: '{}' });
    expect(notYet.status).toBe(202); // allowed on a failed run; it fails again without the fix
    await waitDone(created.body.id);

    writeFileSync(marker, 'ok');
    expect(existsSync(marker)).toBe(true);
    const rerun = await api(`/api/workflows/${created.body.id}/rerun`, { method: 'POST', body: '{}' });
    expect(rerun.status).toBe(202);
    const plan = (await rerun.json()) as { rerun: string[]; kept: string[]; generation: number };
    expect(plan.rerun).toEqual(['b', 'c', 'd']);
    expect(plan.kept.sort()).toEqual(['a', 'side']);
    expect(plan.generation).toBe(3);
    const done = await waitDone(created.body.id);
    expect(done.status).toBe('succeeded');
    const d = byKey(done);
    // Succeeded upstream tasks were not run again: same task rows as in the first run.
    expect(d.get('a')!.taskId).toBe(f.get('a')!.taskId);
    expect(d.get('side')!.taskId).toBe(f.get('side')!.taskId);
    expect(d.get('a')!.generation).toBe(1);
    for (const k of ['b', 'c', 'd']) {
      expect(d.get(k)!.generation).toBe(3);
      expect(d.get(k)!.taskStatus).toBe('succeeded');
    }
    const again = await api(`/api/workflows/${created.body.id}/rerun`, { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
  });

  it('cancels a running workflow: nothing further starts, running tasks are stopped', async () => {
    const created = await submit({
      name: 'long',
      tasks: [
        { key: 'slow', run: { kind: 'shell', command: ['sleep', '30'] } },
        { key: 'after', run: { kind: 'noop' }, dependsOn: ['slow'] },
      ],
    });
    expect(created.status).toBe(201);
    const until = Date.now() + 30_000;
    while ((await get(created.body.id)).tasks[0].taskStatus !== 'running') {
      if (Date.now() > until) throw new Error('slow task never started');
      await sleep(100);
    }
    const r = await api(`/api/workflows/${created.body.id}/cancel`, { method: 'POST' });
    expect(r.status).toBe(202);
    const stopBy = Date.now() + 30_000;
    let w = await get(created.body.id);
    while (w.tasks[0].taskStatus === 'running' && Date.now() < stopBy) {
      await sleep(200);
      w = await get(created.body.id);
    }
    expect(w.status).toBe('cancelled');
    expect(w.tasks[0].taskStatus).toBe('cancelled');
    expect(w.tasks[1].taskId).toBeNull();
    // The run's view of its tasks says so too (not running/pending forever).
    expect(w.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect((await api(`/api/workflows/${created.body.id}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it('resumes a workflow from its PostgreSQL checkpoint after a restart', async () => {
    const chain = Array.from({ length: 6 }, (_, i) => ({ key: `s${i}`, run: { kind: 'noop', sleepMs: 300 }, dependsOn: i ? [`s${i - 1}`] : [] }));
    const created = await submit({ name: 'chain', tasks: chain });
    expect(created.status).toBe(201);
    const until = Date.now() + 30_000;
    while ((await get(created.body.id)).tasks.filter((t) => t.status === 'succeeded').length < 2) {
      if (Date.now() > until) throw new Error('chain did not progress');
      await sleep(100);
    }
    await svc.kill('SIGTERM');
    svc = await startService('standalone', env());
    await svc.waitHealthy(120_000);
    const w = await waitDone(created.body.id);
    expect(w.status).toBe('succeeded');
    expect(w.tasks.every((t) => t.status === 'succeeded')).toBe(true);
  }, 240_000);
});

// Distributed mode: gateway and two executors as processes on the Kafka-protocol test broker and a
// PostgreSQL server; advancement runs in whichever executor consumes the completion event.
describe('workflows (distributed)', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let gateway: ServiceProcess;
  const services: ServiceProcess[] = [];
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { ...init, headers: authHeaders() });

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 3 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, LEASE_MS: '5000', HEARTBEAT_MS: '1000' };
    gateway = await startService('gateway', env);
    services.push(
      gateway,
      // 4 slots each, fewer than a DAG layer (6): the executor that inserts a layer cannot run all of it
      // alone, so both executors take part in every test (with 16 slots one sometimes ran a whole run).
      await startService('executor', { ...env, EXECUTOR_ID: 'wf-a', EXECUTOR_NODES: 'wa:8000:8192', EXECUTOR_SLOTS: '4' }, 'executor-a'),
      await startService('executor', { ...env, EXECUTOR_ID: 'wf-b', EXECUTOR_NODES: 'wb:8000:8192', EXECUTOR_SLOTS: '4' }, 'executor-b'),
    );
    await Promise.all(services.map((s) => s.waitHealthy(120_000)));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 240_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await Promise.all(services.map((s) => s.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  it('runs a layered DAG across two executors, each task after all its dependencies, each exactly once', async () => {
    const tasks = Array.from({ length: 30 }, (_, i) => {
      const layer = Math.floor(i / 6);
      const deps = layer ? [`t${(layer - 1) * 6 + (i % 6)}`, `t${(layer - 1) * 6 + ((i + 1) % 6)}`] : [];
      return { key: `t${i}`, run: { kind: 'noop', sleepMs: 20 + (i % 4) * 30 }, dependsOn: deps };
    });
    const r = await api('/api/workflows', { method: 'POST', body: JSON.stringify({ name: 'layers', tasks }) });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    const until = Date.now() + 120_000;
    let status = 'running';
    while (status === 'running') {
      if (Date.now() > until) throw new Error(`workflow still running\n${services.map((s) => s.output().slice(-1500)).join('\n')}`);
      await sleep(300);
      status = ((await (await api(`/api/workflows/${id}`)).json()) as { status: string }).status;
    }
    expect(status).toBe('succeeded');
    const rows = await pg.query<{ workflow_key: string; status: string; started_at: Date; finished_at: Date; lease_owner: string | null }>(
      `SELECT workflow_key, status, started_at, finished_at FROM tasks WHERE workflow_run_id = $1`,
      [id],
    );
    expect(rows.rowCount).toBe(30);
    const byKey = new Map(rows.rows.map((x) => [x.workflow_key, x]));
    for (const t of tasks) {
      expect(byKey.get(t.key)!.status).toBe('succeeded');
      for (const d of t.dependsOn) expect(byKey.get(t.key)!.started_at.getTime()).toBeGreaterThanOrEqual(byKey.get(d)!.finished_at.getTime());
    }
    const executors = await pg.query<{ n: number }>(`SELECT count(DISTINCT a.executor_id)::int AS n FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.workflow_run_id = $1`, [id]);
    expect(executors.rows[0].n).toBe(2);
    const queued = await pg.query<{ producer: string; n: number }>(
      `SELECT producer, count(*)::int AS n FROM outbox WHERE topic = 'task.queued.v1' AND key IN (SELECT id::text FROM tasks WHERE workflow_run_id = $1) GROUP BY producer ORDER BY producer`,
      [id],
    );
    expect(queued.rows).toEqual([
      { producer: 'executor', n: 24 },
      { producer: 'gateway', n: 6 },
    ]);
  });

  const runWorkflow = async (body: unknown): Promise<string> => {
    const r = await api('/api/workflows', { method: 'POST', body: JSON.stringify(body) });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    const until = Date.now() + 120_000;
    for (;;) {
      const status = ((await (await api(`/api/workflows/${id}`)).json()) as { status: string }).status;
      if (status !== 'running') return id;
      if (Date.now() > until) throw new Error(`workflow ${id} still running\n${services.map((s) => s.output().slice(-1500)).join('\n')}`);
      await sleep(300);
    }
  };
  type Row = { workflow_key: string; status: string; started_at: Date; finished_at: Date };
  const rowsOf = async (id: string) =>
    new Map((await pg.query<Row>(`SELECT workflow_key, status, started_at, finished_at FROM tasks WHERE workflow_run_id = $1`, [id])).rows.map((x) => [x.workflow_key, x]));

  it('runs a 50-task fan-out/fan-in DAG across both executors in dependency order', async () => {
    const middles = Array.from({ length: 48 }, (_, i) => ({ key: `m${i}`, run: { kind: 'noop', sleepMs: 20 + (i % 5) * 30 }, dependsOn: ['start'] }));
    const tasks = [{ key: 'start', run: { kind: 'noop', sleepMs: 20 } }, ...middles, { key: 'end', run: { kind: 'shell', command: ['echo', 'done'] }, dependsOn: middles.map((m) => m.key) }];
    const id = await runWorkflow({ name: 'fan-distributed', tasks });
    const rows = await rowsOf(id);
    expect(rows.size).toBe(50);
    for (const t of tasks) {
      expect(rows.get(t.key)!.status).toBe('succeeded');
      for (const d of (t as { dependsOn?: string[] }).dependsOn ?? []) expect(rows.get(t.key)!.started_at.getTime()).toBeGreaterThanOrEqual(rows.get(d)!.finished_at.getTime());
    }
    const executors = await pg.query<{ n: number }>(`SELECT count(DISTINCT a.executor_id)::int AS n FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.workflow_run_id = $1`, [id]);
    expect(executors.rows[0].n).toBe(2);
  });

  it('retries a failing task with back-off, then marks its downstream upstream_failed', async () => {
    const id = await runWorkflow({
      name: 'failing-distributed',
      tasks: [
        { key: 'a', run: { kind: 'noop' } },
        { key: 'bad', run: { kind: 'shell', command: ['sh', '-c', 'echo broken >&2; exit 7'] }, dependsOn: ['a'], maxAttempts: 3 },
        { key: 'c', run: { kind: 'noop' }, dependsOn: ['bad'] },
        { key: 'd', run: { kind: 'noop' }, dependsOn: ['c'] },
        { key: 'side', run: { kind: 'noop' }, dependsOn: ['a'] },
      ],
    });
    const w = (await (await api(`/api/workflows/${id}`)).json()) as WorkflowView;
    expect(w.status).toBe('failed');
    const rows = await rowsOf(id);
    expect(['a', 'side'].map((k) => rows.get(k)!.status)).toEqual(['succeeded', 'succeeded']);
    expect(rows.get('bad')!.status).toBe('failed');
    expect(['c', 'd'].map((k) => rows.get(k)!.status)).toEqual(['upstream_failed', 'upstream_failed']);
    // Three attempts, each failed with its exit code, separated by the growing back-off
    // (attempt n waits 500·2^(n−1) ms with jitter in [½, 1]: ≥ 250 ms, then ≥ 500 ms).
    const attempts = (
      await pg.query<{ attempt: number; status: string; exit_code: number; started_at: Date; finished_at: Date }>(
        `SELECT a.attempt, a.status, a.exit_code, a.started_at, a.finished_at FROM attempts a JOIN tasks t ON t.id = a.task_id
         WHERE t.workflow_run_id = $1 AND t.workflow_key = 'bad' ORDER BY a.attempt`,
        [id],
      )
    ).rows;
    expect(attempts.map((a) => [a.attempt, a.status, a.exit_code])).toEqual([
      [1, 'failed', 7],
      [2, 'failed', 7],
      [3, 'failed', 7],
    ]);
    expect(attempts[1].started_at.getTime() - attempts[0].finished_at.getTime()).toBeGreaterThanOrEqual(250);
    expect(attempts[2].started_at.getTime() - attempts[1].finished_at.getTime()).toBeGreaterThanOrEqual(500);
  });
});

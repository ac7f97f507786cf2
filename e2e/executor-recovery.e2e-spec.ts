import { execSync } from 'node:child_process';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// kill -9 of one of two executors while 500 tasks run: none lost, each completed exactly once.
// Then cancellation and timeout of running processes through the API.
describe('executor crash recovery', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let gateway: ServiceProcess;
  let execA: ServiceProcess;
  let execB: ServiceProcess;
  const all: ServiceProcess[] = [];
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { ...init, headers: authHeaders() });

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 1 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, LEASE_MS: '3000', HEARTBEAT_MS: '500',
      // Fast consumer-group fail-over: the killed executor's partitions (repairs included) move within seconds.
      KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_MS: '500', KAFKA_REBALANCE_TIMEOUT_MS: '6000' };
    gateway = await startService('gateway', env);
    execA = await startService('executor', { ...env, EXECUTOR_ID: 'exec-a', EXECUTOR_NODES: 'node-a:8000:16384', EXECUTOR_SLOTS: '40' }, 'executor-a');
    execB = await startService('executor', { ...env, EXECUTOR_ID: 'exec-b', EXECUTOR_NODES: 'node-b:8000:16384', EXECUTOR_SLOTS: '40' }, 'executor-b');
    all.push(gateway, execA, execB);
    await Promise.all(all.map((s) => s.waitHealthy(120_000)));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 240_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await Promise.all(all.map((s) => s.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  const dump = () => all.map((s) => `--- ${s.name}\n${s.output().slice(-30000)}`).join('\n');

  it('loses no task and completes each exactly once when an executor is killed with SIGKILL', async () => {
    const ids: string[] = [];
    // Submit while watching: tasks last long enough (0.5-1.7 s) that both executors are busy mid-stream.
    const submitting = (async () => {
      for (let i = 0; i < 500; i++) {
        const run = i % 10 === 0 ? { kind: 'shell', command: ['sh', '-c', 'sleep 0.8; echo done'] } : { kind: 'noop', sleepMs: 500 + (i % 7) * 200 };
        const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify({ run, idempotencyKey: `crash-${i}` }) });
        expect(r.status).toBe(201);
        ids.push(((await r.json()) as { id: string }).id);
      }
    })();
    // Wait until executor A is mid-run, then kill it without warning.
    const until = Date.now() + 60_000;
    for (;;) {
      const r = await pg.query(`SELECT count(*)::int AS n FROM tasks WHERE status = 'running' AND lease_owner = 'exec-a'`);
      if (r.rows[0].n >= 5) break;
      if (Date.now() > until) throw new Error(`executor A never ran tasks\n${dump()}`);
      await sleep(100);
    }
    await execA.kill('SIGKILL');
    await submitting;
    const doneBy = Date.now() + 180_000;
    let open = -1;
    while (Date.now() < doneBy) {
      open = (await pg.query(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`)).rows[0].n;
      if (open === 0) break;
      await sleep(500);
    }
    if (open !== 0) throw new Error(`${open} tasks not finished\n${dump()}`);

    const statuses = await pg.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`);
    expect(statuses.rows).toEqual([{ status: 'succeeded', n: 500 }]);
    // Exactly one successful attempt per task; lost attempts are recorded as such.
    const ok = await pg.query(`SELECT task_id, count(*)::int AS n FROM attempts WHERE status = 'succeeded' GROUP BY task_id HAVING count(*) <> 1`);
    expect(ok.rows).toEqual([]);
    const lost = await pg.query(`SELECT count(*)::int AS n FROM attempts WHERE status = 'lost' AND executor_id = 'exec-a'`);
    expect(lost.rows[0].n).toBeGreaterThan(0);
    // Event log: exactly one task.completed.v1 per task.
    const completed = await pg.query(`SELECT key, count(*)::int AS n FROM outbox WHERE topic = 'task.completed.v1' GROUP BY key`);
    expect(completed.rowCount).toBe(500);
    expect(completed.rows.every((r) => r.n === 1)).toBe(true);
    expect(new Set(completed.rows.map((r) => r.key))).toEqual(new Set(ids));
  });

  it('cancels a running process tree and times out a slow one', async () => {
    const submit = async (body: object) => ((await (await api('/api/tasks', { method: 'POST', body: JSON.stringify(body) })).json()) as { id: string }).id;
    const secs = `60.${process.pid}`;
    const cancelId = await submit({ run: { kind: 'shell', command: ['sh', '-c', `sleep ${secs} & sleep ${secs}; wait`] } });
    const timeoutId = await submit({ run: { kind: 'shell', command: ['sleep', '60'] }, timeoutMs: 1500 });
    const waitStatus = async (id: string, want: string[]) => {
      const until = Date.now() + 30_000;
      for (;;) {
        const t = (await (await api(`/api/tasks/${id}`)).json()) as { status: string; error: string | null };
        if (want.includes(t.status)) return t;
        if (Date.now() > until) throw new Error(`task ${id} stuck in ${t.status}\n${dump()}`);
        await sleep(200);
      }
    };
    await waitStatus(cancelId, ['running']);
    const c = await api(`/api/tasks/${cancelId}/cancel`, { method: 'POST' });
    expect(c.status).toBe(202);
    expect((await waitStatus(cancelId, ['cancelled', 'failed', 'succeeded'])).status).toBe('cancelled');
    // The whole process group is gone, the background child included.
    await sleep(500);
    expect(execSync(`pgrep -f "[s]leep ${secs}" || true`).toString().trim()).toBe('');
    const timedOut = await waitStatus(timeoutId, ['timed_out', 'failed', 'succeeded']);
    expect(timedOut.status).toBe('timed_out');
    expect(timedOut.error).toContain('timed out');
    // A second cancel of a finished task is a clear conflict.
    const again = await api(`/api/tasks/${cancelId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
  it('restart_runner repair stops the attempts running on a node and requeues them without charging their retry budget', async () => {
    const marker = `/tmp/kairos-restart-${process.pid}-${Date.now()}`;
    const secs = `60.${process.pid}1`;
    const r = await api('/api/tasks', {
      method: 'POST',
      body: JSON.stringify({ run: { kind: 'shell', command: ['sh', '-c', `if [ -e ${marker} ]; then rm ${marker}; echo second run; exit 0; fi; touch ${marker}; sleep ${secs}`] }, maxAttempts: 1 }),
    });
    const id = ((await r.json()) as { id: string }).id;
    type View = { status: string; nodeId: string | null; attempts: number; outputTail: string; attemptsDetail: Array<{ attempt: number; status: string; error: string | null }> };
    const view = async () => (await (await api(`/api/tasks/${id}`)).json()) as View;
    let t = await view();
    for (const until = Date.now() + 30_000; t.status !== 'running' && Date.now() < until; t = await view()) await sleep(200);
    expect(t.status).toBe('running');
    await sleep(300); // let the first run touch its marker
    const repair = await api('/api/repairs', { method: 'POST', body: JSON.stringify({ action: { kind: 'restart_runner', nodeId: t.nodeId }, reason: 'e2e: wedged runner' }) });
    expect(repair.status).toBe(202);
    for (const until = Date.now() + 30_000; !['succeeded', 'failed', 'cancelled'].includes(t.status) && Date.now() < until; t = await view()) await sleep(200);
    if (t.status !== 'succeeded') throw new Error(`task ${id} ended ${t.status}: ${JSON.stringify(t)}\n${dump()}`);
    expect(t.outputTail).toContain('second run');
    expect(t.attemptsDetail.map((a) => a.status)).toEqual(['lost', 'succeeded']);
    expect(t.attemptsDetail[0].error).toContain('restart_runner');
    expect(execSync(`pgrep -f "[s]leep ${secs}" || true`).toString().trim()).toBe('');
    // Unknown actions are rejected, not ignored.
    const bad = await api('/api/repairs', { method: 'POST', body: JSON.stringify({ action: { kind: 'reboot_universe' }, reason: 'x' }) });
    expect(bad.status).toBe(400);
  }, 90_000);
});

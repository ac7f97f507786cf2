import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live `sleep <marker>` processes (the marker is a unique duration): one per running copy of the task. */
function pidsRunning(marker: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const state = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.[0];
      if (argv[0] === 'sleep' && argv[1] === marker && state !== 'Z') out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** The executor's watchdog: the `node -e` child of the service process. */
function watchdogOf(pid: number): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (ppid === pid && argv[1] === '-e') return Number(d);
    } catch {
      /* exited meanwhile */
    }
  }
  return null;
}

// kill -9 of the executor (standalone) while a 20-second shell task runs: the task's process group does
// not outlive it into the retry. The task takes an exclusive flock for its whole run, so a second copy
// running at the same time could not take it and would write "overlap" to the log.
describe('no orphaned task processes after kill -9 of the executor', () => {
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let dir: string;
  const services: ServiceProcess[] = [];
  let svc: ServiceProcess;

  const env = () => ({ DATABASE_URL: db.url, DATA_DIR: join(dir, 'data'), LEASE_MS: '3000', HEARTBEAT_MS: '500', EXECUTOR_NODES: 'n1:4000:4096', EXECUTOR_SLOTS: '4' });
  const boot = async () => {
    svc = await startService('standalone', env(), `standalone-${services.length + 1}`);
    services.push(svc);
    await svc.waitHealthy(120_000);
  };
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${svc.port}${path}`, { ...init, headers: authHeaders() });
  const dump = () => services.map((s) => `--- ${s.name}\n${s.output().slice(-10_000)}`).join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-orphans-'));
    db = await createTestDatabase();
    await boot();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await Promise.all(services.map((s) => s.kill()));
    await db?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Submits the locked 20-second task; returns its id, log file and process marker. */
  const submit = async (name: string) => {
    const log = join(dir, `${name}.log`);
    const marker = `20.${process.pid}${services.length}`;
    const lock = join(dir, `${name}.lock`);
    const script =
      `flock -n -E 75 ${lock} sh -c 'echo "start $KAIROS_ATTEMPT" >> ${log}; sleep ${marker}; echo "end $KAIROS_ATTEMPT" >> ${log}'` +
      ` || { rc=$?; if [ $rc -eq 75 ]; then echo "overlap $KAIROS_ATTEMPT" >> ${log}; fi; exit $rc; }`;
    const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify({ name, run: { kind: 'shell', command: ['sh', '-c', script] }, maxAttempts: 3, timeoutMs: 120_000 }) });
    expect(r.status).toBe(201);
    return { id: ((await r.json()) as { id: string }).id, log, marker };
  };
  const readLog = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  /** Waits for the terminal state while checking, every 100 ms, that at most one copy of the task runs. */
  const finish = async (id: string, marker: string) => {
    let most = 0;
    const until = Date.now() + 120_000;
    for (;;) {
      most = Math.max(most, pidsRunning(marker).length);
      const row = (await pg.query(`SELECT status FROM tasks WHERE id = $1`, [id])).rows[0] as { status: string };
      if (['succeeded', 'failed', 'timed_out', 'cancelled'].includes(row.status)) break;
      if (Date.now() > until) throw new Error(`task ${id} still ${row.status}\n${dump()}`);
      await sleep(100);
    }
    return most;
  };

  const expectOneCleanRetry = async (id: string, log: string) => {
    expect(readLog(log)).toEqual(['start 1', 'start 2', 'end 2']);
    const t = (await pg.query(`SELECT status, attempts FROM tasks WHERE id = $1`, [id])).rows[0];
    expect(t).toEqual({ status: 'succeeded', attempts: 2 });
    const attempts = await pg.query(`SELECT attempt, status FROM attempts WHERE task_id = $1 ORDER BY attempt`, [id]);
    expect(attempts.rows).toEqual([
      { attempt: 1, status: 'lost' },
      { attempt: 2, status: 'succeeded' },
    ]);
    // Exactly one terminal state: one task.completed.v1 event.
    const completed = await pg.query(`SELECT envelope->'payload'->>'status' AS status FROM outbox WHERE topic = 'task.completed.v1' AND key = $1`, [id]);
    expect(completed.rows).toEqual([{ status: 'succeeded' }]);
    const procs = await pg.query(`SELECT attempt, ended_at IS NOT NULL AS ended, end_reason FROM attempt_processes WHERE task_id = $1 ORDER BY attempt`, [id]);
    expect(procs.rows.map((r) => [r.attempt, r.ended])).toEqual([
      [1, true],
      [2, true],
    ]);
    return procs.rows as Array<{ attempt: number; end_reason: string }>;
  };

  const waitStarted = async (log: string, marker: string) => {
    const until = Date.now() + 60_000;
    while (!(readLog(log).includes('start 1') && pidsRunning(marker).length === 1)) {
      if (Date.now() > until) throw new Error(`task never started\n${dump()}`);
      await sleep(100);
    }
  };

  it('the watchdog kills the running group the moment the executor is killed; the retry runs alone', async () => {
    const { id, log, marker } = await submit('watchdog');
    await waitStarted(log, marker);
    expect(watchdogOf(svc.proc.pid!)).not.toBeNull();
    const killedAt = Date.now();
    await svc.kill('SIGKILL');
    const until = Date.now() + 5_000;
    while (pidsRunning(marker).length && Date.now() < until) await sleep(20);
    expect(pidsRunning(marker)).toEqual([]);
    console.log(`watchdog: the task's processes were gone ${Date.now() - killedAt} ms after kill -9 of the executor`);
    await boot();
    expect(await finish(id, marker)).toBe(1);
    const procs = await expectOneCleanRetry(id, log);
    // The group was already gone when the restarted executor looked.
    expect(procs[0].end_reason).toBe('gone');
  }, 240_000);

  it('with the watchdog killed too, the restarted executor kills the leftover group before the retry', async () => {
    const { id, log, marker } = await submit('sweep');
    await waitStarted(log, marker);
    const dog = watchdogOf(svc.proc.pid!);
    expect(dog).not.toBeNull();
    process.kill(dog!, 'SIGKILL');
    await svc.kill('SIGKILL');
    await sleep(1_000);
    // The orphan this test is about: the first copy survived its executor.
    expect(pidsRunning(marker)).toHaveLength(1);
    await boot();
    expect(await finish(id, marker)).toBe(1);
    const procs = await expectOneCleanRetry(id, log);
    expect(procs[0].end_reason).toMatch(/^(terminated|killed): swept at executor start$/);
    expect(execSync(`pgrep -f "[s]leep ${marker}" || true`).toString().trim()).toBe('');
  }, 240_000);
});

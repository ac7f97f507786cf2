import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSpec } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { createTestDatabase } from '@kairos/testing';
import type { ExecutorSettings } from '../src/core/executor-settings';
import { pgExecutor } from './fakes/pg-executor';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { ExecutorService } from '../src/execution/executor.service';
import { PgNodeRepository } from '../src/execution/node.repository';
import { PgQueueOwnerRepository } from '../src/execution/queue-owner.repository';
import { PgQueuePolicyRepository } from '../src/execution/queue-policy.repository';
import { NoopRunner } from '../src/runners/noop.runner';
import type { TaskRunner } from '../src/runners/runner.port';
import { PgTaskRepository, type ClaimedTask } from '../src/tasks/task.repository';
import { RETENTION_OFF } from '../src/retention/retention-plan';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The live executor's scheduling state on real PostgreSQL. An executor under test owns the queues; its
 * own node is too small to run anything, so it dispatches to a "remote" node whose executor is played
 * by the test (heartbeat, adopt, complete with a chosen run time): the owner then reads each attempt's
 * observed run time back exactly as it does from a real second executor.
 */
describe('live scheduling: persistent per-queue policies, queue owners (PostgreSQL)', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  const services: ExecutorService[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.stop()));
    await db.query(`DELETE FROM attempts`);
    await db.query(`DELETE FROM tasks`);
    await db.query(`DELETE FROM nodes`);
    await db.query(`DELETE FROM queue_owners`);
    await db.query(`DELETE FROM queue_policies`);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const settings = (executorId: string, nodes: string, over: Partial<ExecutorSettings> = {}): ExecutorSettings => ({
    executorId,
    leaseMs: 3000,
    heartbeatMs: 500,
    metricsSampleMs: 60_000,
    slotsPerNode: 1,
    outputTailBytes: 1024,
    schedulerPolicy: 'fifo',
    nodes,
    scheduleLeaseMs: 5000,
    schedulePartitions: 64,
    scheduleDecideAheadMs: 0,
    claimAheadMs: 0,
    nodeRetireAfterMs: 3_600_000,
    recordDecisions: true,
    decisionsRetentionDays: 14,
    retention: RETENTION_OFF,
    ...over,
  });

  const executor = async (s: ExecutorSettings): Promise<ExecutorService> => {
    const runners = new Map<RunSpec['kind'], TaskRunner>([['noop', new NoopRunner() as TaskRunner]]);
    // noop tasks only: no process groups to record or sweep
    const svc = pgExecutor(db, s, runners);
    services.push(svc);
    await svc.start();
    return svc;
  };

  /** The remote executor the test plays: a node in the cluster view, and what was dispatched to it. */
  const remote = async (cpuMillis: number) => {
    const nodes = new PgNodeRepository(db);
    const repo = new PgTaskRepository(db, { executorId: 'exec-remote', leaseMs: 60_000 });
    const beat = () => nodes.heartbeat({ id: 'remote-n', executorId: 'exec-remote', cpuMillis, memMb: 100_000, status: 'ready', running: 0 });
    await beat();
    const timer = setInterval(() => void Promise.all([beat(), repo.renewLeases()]).catch(() => undefined), 300);
    const held = new Map<string, ClaimedTask>();
    return {
      stop: () => clearInterval(timer),
      /** Waits until exactly the dispatched set holds `n` attempts not yet completed, and returns their names (in claim order). */
      async running(n: number): Promise<string[]> {
        await until(async () => {
          for (const t of await repo.adopt([...held.keys()])) held.set(t.id, t);
          return held.size >= n;
        }, `${n} dispatched to the remote node`);
        return [...held.values()].map((t) => t.name ?? t.id);
      },
      async complete(name: string, durationMs: number): Promise<void> {
        const t = [...held.values()].find((x) => x.name === name || x.id === name);
        if (!t) throw new Error(`${name} is not running remotely`);
        held.delete(t.id);
        await repo.completeAttempt(t, { outcome: 'succeeded', exitCode: 0, outputTail: '', error: null, durationMs });
      },
    };
  };

  const submit = async (queue: string, name: string, over: { priority?: number; cpuMillis?: number; sleepMs?: number; predictedMs?: number } = {}): Promise<string> => {
    const id = randomUUID();
    await db.query(
      `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status, predicted_p50_ms)
       VALUES ($1, $2, $3, $4, $5, $6, 600000, 1, 'queued', $7)`,
      [id, name, queue, over.priority ?? 50, JSON.stringify({ kind: 'noop', sleepMs: over.sleepMs ?? 0 }), JSON.stringify({ cpuMillis: over.cpuMillis ?? 100, memMb: 10, gpu: 0 }), over.predictedMs ?? null],
    );
    await sleep(5); // distinct created_at
    return id;
  };

  const setPolicy = (queue: string, policy: string) => new PgQueuePolicyRepository(db).setPolicy(queue, { policy, placement: 'least-loaded' }, { policy: 'fifo', placement: 'least-loaded' });

  it('MLFQ: a job is demoted once its observed service passes the quantum, across passes', async () => {
    await setPolicy('mlfq-q', 'mlfq');
    const r = await remote(100);
    try {
      await submit('mlfq-q', 'long');
      await submit('mlfq-q', 'long');
      await executor(settings('exec-a', 'a:1:1'));
      expect(await r.running(1)).toEqual(['long']);
      // A newer job arrives while the first instance runs; it ends after 61 s of service (quantum 60 s).
      await submit('mlfq-q', 'short');
      await r.complete('long', 61_000);
      // FIFO would start the older "long" instance; the demoted job yields to "short".
      expect(await r.running(1)).toEqual(['short']);
    } finally {
      r.stop();
    }
  });

  it('MLFQ control: without the observed service the older job keeps its place', async () => {
    await setPolicy('mlfq-q2', 'mlfq');
    const r = await remote(100);
    try {
      await submit('mlfq-q2', 'long');
      await submit('mlfq-q2', 'long');
      await executor(settings('exec-a', 'a:1:1'));
      expect(await r.running(1)).toEqual(['long']);
      await submit('mlfq-q2', 'short');
      await r.complete('long', 10_000);
      expect(await r.running(1)).toEqual(['long']);
    } finally {
      r.stop();
    }
  });

  it('backfill holds a reservation for a blocked large task while small ones that end in time pass', async () => {
    await setPolicy('bf', 'backfill');
    const r = await remote(1000);
    try {
      await submit('bf', 'running', { cpuMillis: 600, predictedMs: 100_000 });
      const svc = await executor(settings('exec-a', 'a:1:1', { slotsPerNode: 10 }));
      expect(await r.running(1)).toEqual(['running']);
      await submit('bf', 'big', { cpuMillis: 900, predictedMs: 10_000 });
      await submit('bf', 'slow', { cpuMillis: 300, predictedMs: 500_000 });
      await submit('bf', 'quick', { cpuMillis: 300, predictedMs: 50_000 });
      expect(await r.running(2)).toEqual(['running', 'quick']);
      // Several more passes: the reservation keeps "slow" (which would delay "big") off the free 100 cpu... and off the node.
      await sleep(1500);
      expect(await r.running(2)).toEqual(['running', 'quick']);
      expect(svc.schedulerOf('bf')!.readyIds()).toHaveLength(2);
      // The running task ends: the head starts first.
      await r.complete('running', 5_000);
      await r.complete('quick', 5_000);
      expect(await r.running(1)).toEqual(['big']);
    } finally {
      r.stop();
    }
  });

  it.each([
    ['reorders a job after an observed run time of its first instance', 500_000, 'b'],
    ['control: an observed run time as predicted keeps the order', 10_000, 'a'],
  ])('sjf-online %s', async (_what, observedMs, next) => {
    await setPolicy('sjf', 'sjf-online');
    const r = await remote(100);
    try {
      for (let i = 0; i < 3; i++) await submit('sjf', 'a', { predictedMs: 10_000 });
      await submit('sjf', 'b', { predictedMs: 20_000 });
      await executor(settings('exec-a', 'a:1:1'));
      expect(await r.running(1)).toEqual(['a']);
      await r.complete('a', observedMs);
      expect(await r.running(1)).toEqual([next]);
    } finally {
      r.stop();
    }
  });

  it('a policy switch at run time keeps every queued task', async () => {
    await setPolicy('sw', 'fifo');
    const r = await remote(100);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await submit('sw', `t${i}`, { priority: (i * 37) % 100 }));
      const svc = await executor(settings('exec-a', 'a:1:1'));
      expect(await r.running(1)).toEqual(['t0']);
      await setPolicy('sw', 'priority');
      const s = await until(async () => svc.schedulerOf('sw')?.policy.name === 'priority' && svc.schedulerOf('sw'), 'the switch');
      expect(s.policy.queuedInstances).toBe(11);
      expect(s.readyIds().sort()).toEqual(ids.slice(1).sort());
      const order: string[] = [];
      await r.complete('t0', 1000);
      for (let i = 0; i < 11; i++) {
        const [name] = (await r.running(1)).slice(-1);
        order.push(name);
        await r.complete(name, 1000);
      }
      const prio = (n: string) => (Number(n.slice(1)) * 37) % 100;
      expect(order).toHaveLength(11);
      expect(order.map(prio)).toEqual([...order.map(prio)].sort((a, b) => b - a));
    } finally {
      r.stop();
    }
  });

  it('two executor replicas: one owner per queue, one cluster-wide order (strict priority) on both replicas’ nodes', async () => {
    await setPolicy('prio', 'priority');
    const prios = [17, 83, 5, 61, 42, 99, 8, 70, 33, 56, 24, 91, 12, 77, 48, 3];
    for (const [i, p] of prios.entries()) await submit('prio', `p${i}`, { priority: p, sleepMs: 250 });
    const a = await executor(settings('exec-a', 'na:1000:1000'));
    const b = await executor(settings('exec-b', 'nb:1000:1000'));
    void a;
    void b;
    await until(async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE status = 'succeeded'`))[0].n === prios.length, 'all tasks', 30_000);
    const owners = await new PgQueueOwnerRepository(db).owners();
    expect(owners.filter((o) => o.queue === 'prio')).toHaveLength(1);
    const rows = await db.query<{ priority: number; started_at: Date; executor_id: string }>(
      `SELECT t.priority, a.started_at, a.executor_id FROM attempts a JOIN tasks t ON t.id = a.task_id ORDER BY a.started_at, t.priority DESC`,
    );
    // Both replicas ran tasks, and every start came after every higher-priority one's.
    expect(new Set(rows.map((r) => r.executor_id))).toEqual(new Set(['exec-a', 'exec-b']));
    expect(rows.map((r) => r.priority)).toEqual([...prios].sort((x, y) => y - x));
  });

  it('a queue owner that stops renewing loses the queue after its lease; the other replica takes over and keeps the order', async () => {
    await setPolicy('fo', 'priority');
    const a = await executor(settings('exec-a', 'na:1000:1000'));
    const prios = [10, 90, 50, 70, 30, 80, 20, 60];
    for (const [i, p] of prios.entries()) await submit('fo', `f${i}`, { priority: p, sleepMs: 400 });
    const owner = await until(async () => (await new PgQueueOwnerRepository(db).owners()).find((o) => o.queue === 'fo'), 'an owner');
    expect(owner.owner).toBe('exec-a');
    const b = await executor(settings('exec-b', 'nb:1000:1000'));
    // exec-a freezes as a kill -9 would leave it (no release, no renewals); its node's heartbeat stops too.
    // (In-process stand-in for kill -9: the e2e suite kills a real process.)
    const frozen = a as unknown as { stopped: boolean; timers: NodeJS.Timeout[] };
    frozen.timers.forEach((t) => clearInterval(t));
    frozen.stopped = true;
    services.splice(services.indexOf(a), 1);
    const after = await until(async () => (await new PgQueueOwnerRepository(db).owners()).find((o) => o.queue === 'fo' && o.owner === 'exec-b'), 'fail-over to exec-b', 20_000);
    expect(after.epoch).toBe(owner.epoch + 1);
    await until(async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE status = 'succeeded'`))[0].n === prios.length, 'all tasks', 30_000);
    const byB = await db.query<{ priority: number }>(`SELECT t.priority FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE a.executor_id = 'exec-b' AND a.status = 'succeeded' ORDER BY a.started_at, t.priority DESC`);
    expect(byB.length).toBeGreaterThan(0);
    expect(byB.map((r) => r.priority)).toEqual([...byB.map((r) => r.priority)].sort((x, y) => y - x));
    void b;
    await a.stop();
  });
});

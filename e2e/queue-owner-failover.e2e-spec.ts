import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Two executor processes share one queue: one owns it (queue_owners) and dispatches onto both
// executors' nodes in one cluster-wide priority order; `kill -9` of the owner hands the queue to the
// survivor, which keeps the order and finishes every task.
describe('queue owner fail-over (two executor processes, kill -9)', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  const execs = new Map<string, ServiceProcess>();

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 1 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, LEASE_MS: '3000', HEARTBEAT_MS: '500', EXECUTOR_SLOTS: '2' };
    execs.set('exec-a', await startService('executor', { ...env, EXECUTOR_ID: 'exec-a', EXECUTOR_NODES: 'node-a:4000:8192' }, 'executor-a'));
    execs.set('exec-b', await startService('executor', { ...env, EXECUTOR_ID: 'exec-b', EXECUTOR_NODES: 'node-b:4000:8192' }, 'executor-b'));
    await Promise.all([...execs.values()].map((s) => s.waitHealthy(120_000)));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 240_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await Promise.all([...execs.values()].map((s) => s.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  const dump = () => [...execs.values()].map((s) => `--- ${s.name}\n${s.output().slice(-5000)}`).join('\n');

  /** Start order by priority: every start group (same started_at) after every higher-priority one. */
  const nonIncreasing = (rows: Array<{ priority: number }>) => rows.map((r) => r.priority).every((p, i, a) => i === 0 || p <= a[i - 1]!);

  it('keeps one cluster-wide priority order on both executors, and fails the queue over after kill -9 of its owner', async () => {
    await pg.query(`INSERT INTO queue_policies (queue, policy, placement) VALUES ('fo', 'priority', 'least-loaded')`);
    const prios = Array.from({ length: 40 }, (_, i) => (i * 37) % 100);
    // One statement: the owner sees the whole set at once (a task not yet submitted cannot be ordered).
    await pg.query(
      `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status)
       SELECT id, 'p' || p, 'fo', p, '{"kind":"noop","sleepMs":500}', '{"cpuMillis":1000,"memMb":64,"gpu":0}', 60000, 1, 'queued'
       FROM unnest($1::uuid[], $2::int[]) AS x(id, p)`,
      [prios.map(() => randomUUID()), prios],
    );
    const ownerRow = async () => (await pg.query<{ owner: string; epoch: string }>(`SELECT owner, epoch FROM queue_owners WHERE queue = 'fo'`)).rows[0];
    let first: { owner: string; epoch: string } | undefined;
    for (const until = Date.now() + 30_000; !(first = await ownerRow()); ) {
      if (Date.now() > until) throw new Error(`no owner\n${dump()}`);
      await sleep(100);
    }
    // Let both executors run a few rounds of the owner's dispatches, then kill the owner without warning.
    for (const until = Date.now() + 30_000; ; ) {
      const r = await pg.query<{ n: number }>(`SELECT count(DISTINCT executor_id)::int AS n FROM attempts`);
      if (r.rows[0].n === 2 && (await pg.query(`SELECT 1 FROM attempts WHERE status = 'succeeded'`)).rowCount! >= 6) break;
      if (Date.now() > until) throw new Error(`both executors never ran the queue\n${dump()}`);
      await sleep(100);
    }
    const beforeKill = await pg.query<{ priority: number }>(`SELECT t.priority FROM attempts a JOIN tasks t ON t.id = a.task_id ORDER BY a.started_at, t.priority DESC`);
    expect(nonIncreasing(beforeKill.rows)).toBe(true);
    await execs.get(first.owner)!.kill('SIGKILL');
    const survivor = first.owner === 'exec-a' ? 'exec-b' : 'exec-a';
    let after: { owner: string; epoch: string } | undefined;
    for (const until = Date.now() + 30_000; (after = await ownerRow())?.owner !== survivor; ) {
      if (Date.now() > until) throw new Error(`no fail-over to ${survivor}\n${dump()}`);
      await sleep(200);
    }
    expect(Number(after!.epoch)).toBe(Number(first.epoch) + 1);
    for (const until = Date.now() + 90_000; ; ) {
      const open = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`)).rows[0].n;
      if (open === 0) break;
      if (Date.now() > until) throw new Error(`${open} tasks not finished\n${dump()}`);
      await sleep(250);
    }
    const statuses = await pg.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`);
    expect(statuses.rows).toEqual([{ status: 'succeeded', n: prios.length }]);
    // The survivor's own dispatches follow the priority order (tasks requeued from the dead executor's lost attempts rejoin at their rank, so they are left out).
    const bySurvivor = await pg.query<{ priority: number }>(
      `SELECT t.priority FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.executor_id = $1 AND a.started_at > (SELECT acquired_at FROM queue_owners WHERE queue = 'fo')
         AND NOT EXISTS (SELECT 1 FROM attempts l WHERE l.task_id = a.task_id AND l.status = 'lost')
       ORDER BY a.started_at, t.priority DESC`,
      [survivor],
    );
    expect(bySurvivor.rows.length).toBeGreaterThan(0);
    expect(nonIncreasing(bySurvivor.rows)).toBe(true);
  }, 240_000);
});

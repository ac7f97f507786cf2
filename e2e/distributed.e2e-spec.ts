import { Client } from 'pg';
import { TOPICS, DEAD_LETTER_TOPIC } from '@kairos/contracts';
import { KafkaEventBus } from '@kairos/bus';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

// Distributed mode end to end: four services (two executors) as separate processes on the
// Kafka-protocol test broker and a real PostgreSQL database.
describe('distributed mode', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { ...init, headers: authHeaders() });

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 3 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, LEASE_MS: '5000', HEARTBEAT_MS: '1000' };
    // Migrations run under an advisory lock, so the services may start together.
    gateway = await startService('gateway', env);
    services.push(
      gateway,
      await startService('collector', env),
      await startService('analyzer', env),
      await startService('executor', { ...env, EXECUTOR_ID: 'exec-a', EXECUTOR_NODES: 'node-a1:4000:8192,node-a2:4000:8192' }, 'executor-a'),
      await startService('executor', { ...env, EXECUTOR_ID: 'exec-b', EXECUTOR_NODES: 'node-b1:4000:8192' }, 'executor-b'),
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

  const dump = () => services.map((s) => `--- ${s.name}\n${s.output().slice(-3000)}`).join('\n');

  it('runs 200 tasks submitted over REST to exactly one terminal state each, events in order per task', async () => {
    const ids: string[] = [];
    const expected = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const body =
        i % 20 === 0
          ? { run: { kind: 'shell', command: ['sh', '-c', `echo failing ${i}; exit 1`] }, maxAttempts: 2, name: 'always-fails' }
          : i % 5 === 0
            ? { run: { kind: 'shell', command: ['echo', `task ${i}`] }, name: 'echo' }
            : { run: { kind: 'noop', sleepMs: i % 50 }, name: 'noop' };
      const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify(body) });
      expect(r.status).toBe(201);
      const t = (await r.json()) as { id: string };
      ids.push(t.id);
      expected.set(t.id, i % 20 === 0 ? 'failed' : 'succeeded');
    }

    const deadline = Date.now() + 150_000;
    let unfinished = ids.length;
    while (Date.now() < deadline) {
      const r = await pg.query(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`);
      unfinished = r.rows[0].n;
      if (unfinished === 0) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    if (unfinished) throw new Error(`${unfinished} tasks unfinished\n${dump()}`);

    const rows = await pg.query(`SELECT id, status, attempts, exit_code, output_tail FROM tasks`);
    expect(rows.rowCount).toBe(200);
    for (const row of rows.rows) expect([row.id, row.status]).toEqual([row.id, expected.get(row.id)]);
    const failing = rows.rows.filter((r) => r.status === 'failed');
    expect(failing.every((r) => r.attempts === 2 && r.exit_code === 1 && r.output_tail.startsWith('failing'))).toBe(true);
    // Work was shared by both executors.
    const nodes = await pg.query(`SELECT DISTINCT node_id FROM attempts`);
    expect(nodes.rows.map((r) => r.node_id).sort()).toEqual(expect.arrayContaining(['node-b1']));
    expect(nodes.rows.some((r) => String(r.node_id).startsWith('node-a'))).toBe(true);

    // The producers' event log: one queued, one completed, in order.
    const events = await pg.query(`SELECT event_id, key, topic FROM outbox WHERE topic LIKE 'task.%' ORDER BY id`);
    const perTask = new Map<string, string[]>();
    for (const e of events.rows) perTask.set(e.key, [...(perTask.get(e.key) ?? []), e.topic]);
    for (const id of ids) {
      const seq = perTask.get(id) ?? [];
      expect(seq[0]).toBe('task.queued.v1');
      expect(seq[seq.length - 1]).toBe('task.completed.v1');
      expect(seq.filter((t) => t === 'task.completed.v1')).toHaveLength(1);
    }
    // What the collector received through Kafka: every produced event exactly once (event_log is
    // keyed by event id), and within each topic a task's events in the order they were produced (a
    // task's key pins them to one partition). Kafka orders nothing across topics; consumers that need
    // a cross-topic order use the attempt number every task event carries.
    const deadline2 = Date.now() + 60_000;
    for (;;) {
      const got = await pg.query(`SELECT count(*)::int AS n FROM event_log WHERE topic LIKE 'task.%' AND topic <> 'task.lifecycle.v1'`);
      if (got.rows[0].n >= events.rowCount!) break;
      if (Date.now() > deadline2) throw new Error(`collector received ${got.rows[0].n}/${events.rowCount} events\n${dump()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    const received = await pg.query(`SELECT event_id, key, topic FROM event_log WHERE topic LIKE 'task.%' AND topic <> 'task.lifecycle.v1' ORDER BY received_at`);
    expect(received.rows.map((e) => e.event_id).sort()).toEqual(events.rows.map((e) => e.event_id).sort());
    const orderOf = (rows: Array<{ event_id: string; key: string; topic: string }>) => {
      const m = new Map<string, string[]>();
      for (const e of rows) m.set(`${e.key}/${e.topic}`, [...(m.get(`${e.key}/${e.topic}`) ?? []), e.event_id]);
      return m;
    };
    const produced = orderOf(events.rows);
    const got = orderOf(received.rows);
    for (const [keyTopic, order] of produced) expect([keyTopic, got.get(keyTopic)]).toEqual([keyTopic, order]);
  });

  it('the analyzer estimated every task, learned from every finished task and tracked the outcomes of its predictions', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [c] = (
        await pg.query<{ tasks: number; estimates: number; history: number; untracked: number; events: number }>(
          `SELECT (SELECT count(*) FROM tasks)::int AS tasks,
                  (SELECT count(*) FROM duration_estimates)::int AS estimates,
                  (SELECT count(*) FROM duration_history)::int AS history,
                  (SELECT count(*) FROM tasks t WHERE t.status = 'succeeded' AND NOT EXISTS (SELECT 1 FROM prediction_outcomes o WHERE o.task_id = t.id)
                     AND NOT EXISTS (SELECT 1 FROM duration_estimates e WHERE e.task_id = t.id AND e.estimated_at > t.finished_at))::int AS untracked,
                  (SELECT count(*) FROM outbox WHERE topic = 'prediction.duration.estimated.v1')::int AS events`,
        )
      ).rows;
      // One history row per finished task (its terminal attempt), and an outcome for every succeeded task
      // except one that finished before the analyzer got to estimate it (queued and completed events are
      // separate topics; a fast task can complete first, and an estimate made afterwards predicts nothing).
      const done = c.estimates === c.tasks && c.history === c.tasks && c.untracked === 0;
      if (done) {
        // Later tasks of a repeated shape get a moving-average estimate, which is published.
        expect(c.events).toBeGreaterThan(100);
        break;
      }
      if (Date.now() > deadline) throw new Error(`analyzer bookkeeping incomplete: ${JSON.stringify(c)}\n${dump()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  it('executors publish every node\'s load each round; the collector stores it and the analyzer scores it', async () => {
    const analyzer = services.find((s) => s.name === 'analyzer')!;
    const nodes = ['node-a1', 'node-a2', 'node-b1'];
    const deadline = Date.now() + 30_000;
    let report: Array<{ nodeId: string; metric: string; points: number; latest: number | null; samplesSeen: number; learning: boolean }> = [];
    for (;;) {
      const stored = await pg.query<{ node_id: string; n: number }>(`SELECT node_id, count(*)::int AS n FROM metric_samples WHERE source = 'node' AND task_id IS NULL GROUP BY node_id`);
      report = (await (await fetch(`http://127.0.0.1:${analyzer.port}/api/anomalies?windowSec=600`, { headers: authHeaders() })).json()) as typeof report;
      const scored = (n: string) => report.some((r) => r.nodeId === n && r.metric === 'cpuPercent' && r.points > 0 && r.latest !== null && r.latest >= 0 && r.latest <= 1);
      if (nodes.every((n) => stored.rows.some((r) => r.node_id === n && r.n >= 2) && scored(n))) break;
      if (Date.now() > deadline) throw new Error(`node metrics missing: stored ${JSON.stringify(stored.rows)}, scored ${JSON.stringify(report)}\n${dump()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    // Within seconds of start-up every detector is still in its probationary period (750 samples), and says so.
    expect(report.filter((r) => r.metric === 'cpuPercent').every((r) => r.learning && r.samplesSeen >= r.points)).toBe(true);
    // Node CPU is a share of the node's capacity, never negative.
    const bad = await pg.query(`SELECT 1 FROM metric_samples WHERE source = 'node' AND (cpu_percent < 0 OR mem_mb < 0)`);
    expect(bad.rowCount).toBe(0);
  });

  it('dead-letters a malformed message on every topic and keeps working', async () => {
    const bus = new KafkaEventBus({ brokers: kafka.bootstrap, clientId: 'e2e-poison', idempotent: false });
    await bus.start();
    const topics = TOPICS.filter((t) => t !== DEAD_LETTER_TOPIC);
    for (const t of topics) await bus.publishRaw(t, 'poison', Buffer.from(`{"not":"an envelope for ${t}"`));
    await bus.close();
    const deadline = Date.now() + 60_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      const r = await api('/api/dead-letters');
      const body = ((await r.json()) as { items: Array<{ topic: string; reason: string; original: string }> }).items;
      seen = [...new Set(body.map((d) => d.topic))].sort();
      if (topics.every((t) => seen.includes(t))) {
        const one = body.find((d) => d.topic === 'task.started.v1')!;
        expect(one.reason).toContain('not JSON');
        expect(Buffer.from(one.original, 'base64').toString()).toContain('not');
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(seen).toEqual([...topics].sort());
    // Still working: a new task runs to completion.
    const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify({ run: { kind: 'shell', command: ['echo', 'after poison'] } }) });
    const { id } = (await r.json()) as { id: string };
    const until = Date.now() + 30_000;
    let status = '';
    while (Date.now() < until && status !== 'succeeded') {
      status = ((await (await api(`/api/tasks/${id}`)).json()) as { status: string }).status;
      await new Promise((res) => setTimeout(res, 300));
    }
    expect(status).toBe('succeeded');
  });
});

import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Health {
  status: string;
  down: string[];
  consumers: Array<{ group: string; state: string; crashes: number; lastError: string | null }>;
}

// A Kafka consumer that crashes (a non-retriable client-level error, injected through the test-only
// fault hook) is replaced within seconds; /health answers 503 naming it meanwhile; nothing it had
// not committed is lost, and redelivered messages change no state (the collector's writes are keyed
// by event id).
describe('consumer crash recovery (Kafka test broker)', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let gateway: ServiceProcess;
  let collector: ServiceProcess;
  const all: ServiceProcess[] = [];
  const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { ...init, headers: authHeaders() });
  const health = async (): Promise<{ code: number; body: Health }> => {
    const r = await fetch(`http://127.0.0.1:${collector.port}/health`);
    return { code: r.status, body: (await r.json()) as Health };
  };
  const dump = () => all.map((s) => `--- ${s.name}\n${s.output().slice(-6000)}`).join('\n');

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 1 });
    db = await createTestDatabase();
    const env = {
      KAFKA_BROKERS: kafka.bootstrap.join(','),
      KAFKA_IDEMPOTENT: 'false',
      DATABASE_URL: db.url,
      HEARTBEAT_MS: '500',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_MS: '500',
      KAFKA_REBALANCE_TIMEOUT_MS: '6000',
    };
    gateway = await startService('gateway', env);
    collector = await startService('collector', { ...env, KAIROS_FAULT_INJECTION: 'true' });
    all.push(gateway, collector, await startService('executor', { ...env, EXECUTOR_ID: 'exec-r', EXECUTOR_NODES: 'node-r:8000:16384', EXECUTOR_SLOTS: '32' }));
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

  it('replaces a crashed consumer within seconds, reports it down meanwhile, and loses or double-applies nothing', async () => {
    // The collector group consumes before the crash.
    for (const until = Date.now() + 30_000; ; await sleep(200)) {
      const n = (await pg.query(`SELECT count(*)::int AS n FROM event_log`)).rows[0].n;
      if (n > 0) break;
      if (Date.now() > until) throw new Error(`collector consumed nothing\n${dump()}`);
    }
    const ids: string[] = [];
    const submit = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify({ run: { kind: 'noop', sleepMs: 20 } }) });
        expect(r.status).toBe(201);
        ids.push(((await r.json()) as { id: string }).id);
      }
    };
    await submit(30);

    const crash = await fetch(`http://127.0.0.1:${collector.port}/internal/faults/consumer-crash/collector`, { method: 'POST', headers: authHeaders() });
    expect(crash.status).toBe(202);
    const injectedAt = Date.now();
    // Traffic keeps flowing while the consumer is down (tasks, and executor heartbeats every 500 ms).
    const submitting = submit(60);

    // Down (503) while crashed; back when the replacement consumes again (the group's state is running).
    let downSeen: { at: number; body: Health } | null = null;
    let upAgainAt = 0;
    while (Date.now() - injectedAt < 60_000) {
      const h = await health();
      if (h.code === 503 && !downSeen) downSeen = { at: Date.now(), body: h.body };
      if (downSeen && h.code === 200 && h.body.consumers.find((c) => c.group === 'collector')?.state === 'running') {
        upAgainAt = Date.now();
        break;
      }
      await sleep(100);
    }
    await submitting;
    if (!downSeen) throw new Error(`/health never reported the crashed consumer\n${dump()}`);
    expect(downSeen.body.status).toBe('down');
    expect(downSeen.body.down).toEqual(['consumers']);
    expect(downSeen.body.consumers.find((c) => c.group === 'collector')?.state).toMatch(/^(crashed|restarting)$/);
    if (!upAgainAt) throw new Error(`consumer not back after 60 s\n${dump()}`);
    const recoveryMs = upAgainAt - injectedAt;
    console.info(`consumer group collector: down seen after ${downSeen.at - injectedAt} ms, back after ${recoveryMs} ms`);
    expect(recoveryMs).toBeLessThan(15_000);
    const after = (await health()).body.consumers.find((c) => c.group === 'collector')!;
    expect(after).toMatchObject({ state: 'running', crashes: 1 });
    expect(after.lastError).toContain('injected consumer crash');

    // Every task finished, and every task event the producers wrote reached the collector exactly once.
    for (const until = Date.now() + 90_000; ; await sleep(500)) {
      const open = (await pg.query(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`)).rows[0].n;
      const produced = (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic LIKE 'task.%'`)).rows[0].n;
      const logged = (await pg.query(`SELECT count(*)::int AS n FROM event_log WHERE topic LIKE 'task.%' AND topic <> 'task.lifecycle.v1'`)).rows[0].n;
      if (open === 0 && logged >= produced) break;
      if (Date.now() > until) throw new Error(`open ${open}, produced ${produced}, logged ${logged}\n${dump()}`);
    }
    const statuses = await pg.query(`SELECT status, count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
    expect(statuses.rows).toEqual([{ status: 'succeeded', n: 90 }]);
    const produced = await pg.query(`SELECT event_id FROM outbox WHERE topic LIKE 'task.%' ORDER BY event_id`);
    const logged = await pg.query(`SELECT event_id FROM event_log WHERE topic LIKE 'task.%' AND topic <> 'task.lifecycle.v1' ORDER BY event_id`);
    expect(logged.rows.map((r) => r.event_id)).toEqual(produced.rows.map((r) => r.event_id));
    // Node samples are stored once per event as well (metric_samples is keyed by event id).
    const dupSamples = await pg.query(`SELECT event_id FROM metric_samples GROUP BY event_id HAVING count(*) > 1`);
    expect(dupSamples.rowCount).toBe(0);
  }, 240_000);
});

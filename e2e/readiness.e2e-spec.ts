import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

// Readiness sees the whole path: with one broker of three down, the gateway's outbox stops reaching
// Kafka and GET /health/ready turns degraded within HEALTH_OUTBOX_MAX_AGE_MS (plus one poll); after
// the broker is back it turns ready again, and every event committed meanwhile reaches the collector.
const MAX_AGE_MS = 3_000;

interface Ready {
  status: string;
  degraded: string[];
  down: string[];
  outbox: Array<{ producer: string; status: string; backlog: number; oldestAgeMs: number; reason?: string }>;
}

describe('readiness with a broker down', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  const dump = () => services.map((s) => `--- ${s.name}\n${s.output().slice(-3000)}`).join('\n');
  const ready = async (): Promise<{ code: number; body: Ready }> => {
    const r = await fetch(`http://127.0.0.1:${gateway.port}/health/ready`, { headers: authHeaders() });
    return { code: r.status, body: (await r.json()) as Ready };
  };

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 3 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, HEALTH_OUTBOX_MAX_AGE_MS: String(MAX_AGE_MS) };
    gateway = await startService('gateway', env);
    services.push(gateway, await startService('collector', env));
    await Promise.all(services.map((s) => s.waitHealthy(180_000)));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 300_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await Promise.all(services.map((s) => s.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  it('degraded within the threshold while a broker is down, ready after it is back, no event lost', async () => {
    // Ready before the fault (the collector may still be joining its group at first).
    const until = Date.now() + 60_000;
    for (;;) {
      const r = await ready();
      if (r.code === 200) {
        expect(r.body.status).toBe('ok');
        expect(r.body.outbox).toEqual([expect.objectContaining({ producer: 'gateway', status: 'up', backlog: 0 })]);
        break;
      }
      if (Date.now() > until) throw new Error(`never ready: ${JSON.stringify(r.body)}\n${dump()}`);
      await new Promise((res) => setTimeout(res, 500));
    }

    let submitting = true;
    let submitted = 0;
    const submitter = (async () => {
      while (submitting) {
        const r = await fetch(`http://127.0.0.1:${gateway.port}/api/tasks`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ run: { kind: 'noop' }, name: `t${submitted}` }) });
        if (r.status !== 201) throw new Error(`submit: ${r.status} ${await r.text()}`);
        submitted++;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    await new Promise((res) => setTimeout(res, 1_000));
    await kafka.down(kafka.brokerIds[0]);
    const downAt = Date.now();
    let degradedAfterMs = -1;
    let last: Ready | null = null;
    while (Date.now() - downAt < MAX_AGE_MS + 20_000) {
      const r = await ready();
      last = r.body;
      if (r.code === 503 && r.body.degraded.includes('outbox:gateway')) {
        degradedAfterMs = Date.now() - downAt;
        break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    if (degradedAfterMs < 0) throw new Error(`not degraded: ${JSON.stringify(last)}\n${dump()}`);
    const outbox = last!.outbox[0];
    expect(outbox.reason).toContain('HEALTH_OUTBOX_MAX_AGE_MS');
    // The oldest event waits MAX_AGE_MS before it counts; the check itself adds at most a poll and a query.
    expect(degradedAfterMs).toBeLessThanOrEqual(MAX_AGE_MS + 5_000);
    // /health (liveness) does not restart a process for a broker it cannot fix.
    const live = await fetch(`http://127.0.0.1:${gateway.port}/health`, { headers: authHeaders() });
    expect([200, 503]).toContain(live.status);

    await new Promise((res) => setTimeout(res, 2_000));
    await kafka.up(kafka.brokerIds[0]);
    const upAt = Date.now();
    submitting = false;
    await submitter;
    let readyAfterMs = -1;
    while (Date.now() - upAt < 120_000) {
      const r = await ready();
      last = r.body;
      if (r.code === 200) {
        readyAfterMs = Date.now() - upAt;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    if (readyAfterMs < 0) throw new Error(`not ready after recovery: ${JSON.stringify(last)}\n${dump()}`);
    process.stdout.write(`broker down → degraded after ${degradedAfterMs} ms (threshold ${MAX_AGE_MS} ms); broker up → ready after ${readyAfterMs} ms; ${submitted} tasks submitted\n`);

    // No event lost: every task has its queued event, every event was published and reached the collector.
    const outboxRows = await pg.query(`SELECT event_id FROM outbox WHERE topic = 'task.queued.v1'`);
    expect(outboxRows.rowCount).toBe(submitted);
    const unpublished = await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    expect(unpublished.rows[0].n).toBe(0);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const got = await pg.query(`SELECT count(*)::int AS n FROM event_log e JOIN outbox o ON o.event_id = e.event_id WHERE o.topic = 'task.queued.v1'`);
      if (got.rows[0].n === submitted) break;
      if (Date.now() > deadline) throw new Error(`collector received ${got.rows[0].n}/${submitted} events\n${dump()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }, 400_000);
});

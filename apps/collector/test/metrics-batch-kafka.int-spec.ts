import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

/**
 * Issue #13's exactly-once test: 100,000 metric points produced to metrics.batch.v1 by an outside
 * kafkajs producer (1,000 messages of 100 points), the collector kill -9'd mid-stream and restarted.
 * Every valid point is stored exactly once (counted in PostgreSQL) and each malformed point is on the
 * dead-letter topic with its reason.
 */
const MESSAGES = 1_000;
const PER_MESSAGE = 100;
const SERIES = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('metrics.batch.v1 from an external producer through a collector crash', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let producer: Producer;
  let dltConsumer: Consumer;
  const procs: ServiceProcess[] = [];
  const dump = () => procs.map((s) => `--- ${s.name}\n${s.output().slice(-4000)}`).join('\n');

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 1 });
    db = await createTestDatabase();
    const client = new Kafka({ clientId: 'outside-producer', brokers: kafka.bootstrap, logLevel: logLevel.NOTHING });
    producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    dltConsumer = client.consumer({ groupId: 'dlt-watch', sessionTimeout: 6_000, heartbeatInterval: 500 });
    await dltConsumer.connect();
    await dltConsumer.subscribe({ topic: 'kairos.deadletter.v1', fromBeginning: true });
    pg = new Client({ connectionString: db.url });
  }, 60_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await dltConsumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await Promise.all(procs.map((s) => s.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  it('stores every valid point exactly once and dead-letters each malformed one with its reason', async () => {
    const env = {
      KAFKA_BROKERS: kafka.bootstrap.join(','),
      KAFKA_IDEMPOTENT: 'false',
      DATABASE_URL: db.url,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_MS: '500',
      KAFKA_REBALANCE_TIMEOUT_MS: '6000',
    };
    let collector = await startService('collector', env, 'collector-1');
    procs.push(collector);
    await collector.waitHealthy(120_000);
    await pg.connect();

    const dead = new Map<string, string>();
    await dltConsumer.run({
      eachMessage: async ({ message }) => {
        const env = JSON.parse(message.value!.toString()) as { eventId: string; payload: { reason: string; topic: string } };
        if (env.payload.topic === 'metrics.batch.v1') dead.set(env.eventId, env.payload.reason);
      },
    });

    // Message m: one point per series h0..h99 at base + m seconds. In every 10th message, series h7
    // carries a string value and series h13 lacks its timestamp: 200 malformed points in all.
    const base = Date.now() - 2 * 3_600_000;
    let expectedSum = 0;
    const message = (m: number) => {
      const points: unknown[] = [];
      for (let s = 0; s < SERIES; s++) {
        const ts = new Date(base + m * 1000).toISOString();
        const value = m * 1000 + s;
        if (m % 10 === 0 && s === 7) points.push({ metric: 'load', value: 'high', ts, labels: { host: `h${s}` } });
        else if (m % 10 === 0 && s === 13) points.push({ metric: 'load', value, labels: { host: `h${s}` } });
        else {
          points.push({ metric: 'load', value, unit: '1', ts, labels: { host: `h${s}` } });
          expectedSum += value;
        }
      }
      const source = `exporter-${m % 6}`;
      const envelope = { eventId: randomUUID(), topic: 'metrics.batch.v1', occurredAt: new Date().toISOString(), traceId: randomUUID(), key: source, payload: { source, points } };
      return { key: source, value: JSON.stringify(envelope) };
    };
    const produce = async (from: number, to: number) => {
      for (let m = from; m < to; m += 50) {
        const messages = [];
        for (let k = m; k < Math.min(to, m + 50); k++) messages.push(message(k));
        await producer.send({ topic: 'metrics.batch.v1', acks: -1, messages });
      }
    };
    const stored = async () => Number((await pg.query('SELECT count(*)::int AS n FROM metric_points')).rows[0].n);

    await produce(0, MESSAGES / 2);
    // Kill -9 once the collector has stored some but not all of the first half.
    for (const until = Date.now() + 90_000; ; await sleep(50)) {
      if ((await stored()) > 0) break;
      if (Date.now() > until) throw new Error(`collector stored nothing\n${dump()}`);
    }
    await collector.kill('SIGKILL');
    const atKill = await stored();
    // Mid-stream: the first half (49,900 valid points) was not all stored yet.
    expect(atKill).toBeLessThan(MESSAGES * PER_MESSAGE / 2 - 100);
    if (process.env.KAIROS_TEST_VERBOSE) process.stderr.write(`stored at kill -9: ${atKill}\n`);

    await produce(MESSAGES / 2, MESSAGES);
    collector = await startService('collector', env, 'collector-2');
    procs.push(collector);
    await collector.waitHealthy(120_000);

    const valid = MESSAGES * PER_MESSAGE - 200;
    for (const until = Date.now() + 180_000; ; await sleep(500)) {
      const n = await stored();
      if (n >= valid && dead.size >= 200) break;
      if (Date.now() > until) throw new Error(`stored ${n}/${valid}, dead-lettered ${dead.size}/200\n${dump()}`);
    }
    await sleep(3_000); // nothing more arrives: no double count after a settle period
    const { rows } = await pg.query('SELECT count(*)::int AS n, count(DISTINCT (series_id, ts))::int AS d, sum(value)::float8 AS s, count(DISTINCT series_id)::int AS series FROM metric_points');
    expect(rows[0]).toEqual({ n: valid, d: valid, s: expectedSum, series: SERIES * 6 });
    expect(dead.size).toBe(200);
    const reasons = [...dead.values()];
    expect(reasons.filter((r) => /points\[7\]\.value: Invalid input: expected number, received string$/.test(r))).toHaveLength(100);
    expect(reasons.filter((r) => /points\[13\]\.ts: Invalid input: expected string, received undefined$/.test(r))).toHaveLength(100);

    // The HTTP batch endpoint (@RequireScope('submit')) stores into the same tables.
    const body = JSON.stringify({ source: 'http', points: [{ metric: 'load', value: 1, ts: new Date().toISOString() }, { metric: 'load', value: 'x', ts: new Date().toISOString() }] });
    const url = `http://127.0.0.1:${collector.port}/api/metrics/batch`;
    const r = await fetch(url, { method: 'POST', headers: authHeaders(), body });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ stored: 1, duplicates: 0, rejected: [{ index: 1 }] });
    const bad = await fetch(url, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ points: [] }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/source/);

    // The query API over HTTP (read scope): series by labels, a raw-resolution range (30 s is not a whole number of minutes).
    const get = (path: string, q: Record<string, string>) => fetch(`http://127.0.0.1:${collector.port}/api/metrics/${path}?${new URLSearchParams(q)}`, { headers: authHeaders() });
    const series = (await (await get('series', { metric: 'load', labels: 'host=h1' })).json()) as unknown[];
    expect(series).toHaveLength(6);
    const range = await get('query', { metric: 'load', labels: 'host=h1', from: new Date(base - 60_000).toISOString(), to: new Date(base + MESSAGES * 1000).toISOString(), step: '30s', agg: 'count' });
    const body2 = (await range.json()) as { resolution: string; series: Array<{ points: Array<[string, number]> }> };
    expect(body2.resolution).toBe('raw');
    expect(body2.series.flatMap((x) => x.points).reduce((n, [, c]) => n + c, 0)).toBe(MESSAGES);
    const badQuery = await get('query', { metric: 'load', from: new Date(base).toISOString(), to: new Date().toISOString(), step: 'often' });
    expect(badQuery.status).toBe(400);
    expect(await badQuery.text()).toMatch(/step: \\"often\\" is not a duration/);
  }, 420_000);
});

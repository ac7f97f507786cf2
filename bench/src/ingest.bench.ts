import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { TOPIC_PARTITIONS } from '@kairos/contracts';
import { scratchDatabase, startMockBroker, startService, type MockBroker } from './live-platform';
import { positiveInt, quantile, round2, urlOption } from './throughput.report';

/** A fresh admin key in the real format (kairos_<16 hex>_<43 base64url>) for this run's collector. */
const ADMIN_KEY = `kairos_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

interface Options {
  points: number;
  perMessage: number;
  series: number;
  days: number;
  intervalSec: number;
  queries: number;
  allQueries: number;
  partitions: number;
  window: number;
  databaseUrl: string;
  json?: string;
  collectorCpuProf?: string;
}

export interface IngestBenchResult {
  ingest: { points: number; perMessage: number; messages: number; window: number; consumeSec: number; pointsPerSec: number; collectorStartSec: number };
  query: {
    series: number;
    days: number;
    intervalSec: number;
    rawPoints: number;
    loadSec: number;
    oneSeries: { queries: number; points: number; resolution: string; p50Ms: number; p99Ms: number };
    allSeries: { queries: number; points: number; resolution: string; p50Ms: number; p99Ms: number };
  };
}

/**
 * `bench ingest` (issue #13): the collector as its own process on PostgreSQL and the Kafka test broker.
 * 1. Sustained ingest: after a 1,000-point warm-up, `--points` points in messages of `--per-message`
 *    (≤ 100) are produced to metrics.batch.v1 while the collector consumes them (at most `--window`
 *    ahead); the rate is points / (first produced → last stored), every point validated and stored by
 *    the collector's ordinary consumer path.
 * 2. Query latency: a week of 10 s data for 100 series is written straight into metric_points with
 *    generate_series and its 1 min roll-ups computed with the roll-up formula in one INSERT … SELECT
 *    (going through Kafka would take longer than the bench's budget); then 24 h range queries at 1 min
 *    step through GET /api/metrics/query, one series per query, and all series in one query.
 */
export function register(bench: Command): void {
  bench
    .command('ingest')
    .description('metrics.batch.v1 ingest rate Kafka → PostgreSQL through the collector, and 24 h / 1 min range-query latency over a week of 10 s data')
    .option('--points <n>', 'points to ingest', (v) => positiveInt('--points', v), 300_000)
    .option('--per-message <n>', 'points per Kafka message (at most 100, as the issue sets)', (v) => perMessage(v), 100)
    .option('--series <n>', 'series for the query data', (v) => positiveInt('--series', v), 100)
    .option('--days <n>', 'days of query data (at most 7: the raw retention is 8 days)', (v) => days(v), 7)
    .option('--interval-sec <n>', 'seconds between points of the query data', (v) => positiveInt('--interval-sec', v), 10)
    .option('--partitions <n>', 'partitions of metrics.batch.v1, all consumed at once (KAFKA_PARTITIONS_CONCURRENTLY)', (v) => positiveInt('--partitions', v), 6)
    .option('--window <n>', 'most points produced but not yet stored (the mock broker drops old messages past a few MB per partition)', (v) => positiveInt('--window', v), 60_000)
    .option('--queries <n>', 'one-series range queries', (v) => positiveInt('--queries', v), 200)
    .option('--all-queries <n>', 'all-series range queries (each returns series × 1,440 points)', (v) => positiveInt('--all-queries', v), 5)
    .option('--database-url <url>', 'PostgreSQL admin URL (a fresh database is created next to it and dropped)', urlOption('--database-url', ['postgres:', 'postgresql:']), 'postgres://postgres@127.0.0.1:5432/test')
    .option('--json <file>', 'write results as JSON')
    .option('--collector-cpu-prof <dir>', "write a CPU profile of the collector process into this folder (node --cpu-prof; open it in Chrome's DevTools)")
    .action(async (o: Options) => {
      const r = await run(o);
      process.stdout.write(`\n${formatIngestReport(r)}\n`);
      if (o.json) {
        const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(), totalMemGiB: round2(totalmem() / 2 ** 30) };
        writeFileSync(o.json, JSON.stringify({ benchmark: 'ingest', date: new Date().toISOString(), settings: o, machine, result: r }, null, 2));
      }
    });
}

function perMessage(v: string): number {
  const n = positiveInt('--per-message', v);
  if (n > 100) throw new Error(`--per-message: at most 100, got ${n}`);
  return n;
}

function days(v: string): number {
  const n = positiveInt('--days', v);
  if (n > 7) throw new Error(`--days: at most 7 (the raw retention is 8 days), got ${n}`);
  return n;
}

export function formatIngestReport(r: IngestBenchResult): string {
  const i = r.ingest;
  const q = r.query;
  return [
    `ingest  ${i.points} points in messages of ${i.perMessage}: ${Math.round(i.pointsPerSec)} points/s sustained (${i.consumeSec.toFixed(1)} s from the first produced to the last stored point, ≤ ${i.window} in flight; collector start + warm-up ${i.collectorStartSec.toFixed(1)} s)`,
    `query   ${q.series} series × ${q.days} d at ${q.intervalSec} s = ${q.rawPoints} raw points (loaded in ${q.loadSec.toFixed(1)} s)`,
    `        24 h at 1 min, one series : p50 ${q.oneSeries.p50Ms.toFixed(1)} ms  p99 ${q.oneSeries.p99Ms.toFixed(1)} ms  (${q.oneSeries.queries} queries, ${q.oneSeries.points} points each, resolution ${q.oneSeries.resolution})`,
    `        24 h at 1 min, all series : p50 ${q.allSeries.p50Ms.toFixed(1)} ms  p99 ${q.allSeries.p99Ms.toFixed(1)} ms  (${q.allSeries.queries} queries, ${q.allSeries.points} points each, resolution ${q.allSeries.resolution})`,
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(o: Options): Promise<IngestBenchResult> {
  const scratch = await scratchDatabase(o.databaseUrl, 'kairos_bench_ingest');
  const url = scratch.url;
  let broker: MockBroker | null = null;
  let collector: ChildProcess | null = null;
  const db = new Client({ connectionString: url });
  try {
    broker = await startMockBroker(`metrics.batch.v1:${o.partitions},kairos.deadletter.v1:${TOPIC_PARTITIONS}`);
    const bootstrap = broker.bootstrap;

    // 1. The collector first (joined and warmed up with a small batch), then produce and consume together.
    // The librdkafka mock broker keeps only a few MB per partition (older messages are deleted unread),
    // so the producer stays at most --window points ahead of what PostgreSQL has stored.
    const kafka = new Kafka({ clientId: 'bench-ingest', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const port = 3900 + Math.floor(Math.random() * 90);
    const started = Date.now();
    // The per-key rate limit is off for this process only (RATE_LIMIT_PER_SEC=0, as in the throughput and
    // workflows benches): the one bench key sends every query back to back; the product default stays 20/s.
    const profile = o.collectorCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(o.collectorCpuProf)}`] : [];
    collector = startService(
      'collector',
      { PORT: String(port), DATABASE_URL: url, KAFKA_BROKERS: bootstrap, KAFKA_IDEMPOTENT: 'false', KAFKA_PARTITIONS_CONCURRENTLY: String(o.partitions) },
      { adminKey: ADMIN_KEY, nodeArgs: profile },
    );
    await db.connect();
    const count = async () => Number((await db.query(`SELECT count(*)::int AS n FROM metric_points`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
    // Progress is read from the collector group's committed offsets (the collector commits a message's
    // offset only after its points are durable), not by polling count(*): a count over a few hundred
    // thousand rows every 50 ms took 30–45 ms of PostgreSQL time each, competing with the ingest it measures.
    const admin = kafka.admin();
    await admin.connect();
    const committedMessages = async () => {
      const [t] = await admin.fetchOffsets({ groupId: 'collector', topics: ['metrics.batch.v1'] }).catch(() => [{ partitions: [] as Array<{ offset: string }> }]);
      return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    };
    const waitStored = async (n: number, messages: number, what: string) => {
      for (const until = Date.now() + 600_000; ; await sleep(20)) {
        if (collector!.exitCode !== null) throw new Error(`collector exited with ${collector!.exitCode}`);
        if ((await committedMessages()) >= messages) break;
        if (Date.now() > until) throw new Error(`${what}: ${await committedMessages()}/${messages} messages committed after 10 min`);
      }
      const at = Date.now();
      // Every message committed, so every point is durable: the table must hold exactly n points.
      const c = await count();
      if (c !== n) throw new Error(`${what}: all ${messages} messages committed but metric_points holds ${c} points, expected ${n}`);
      return at;
    };
    const base = Date.now() - 3_600_000;
    let nextMessage = 0;
    let producedPoints = 0;
    /** Messages of perMessage points; message k: hosts h0..h(perMessage-1) at base + k ms, so (series, ts) is unique. */
    /**
     * The messages for `points` points, built before they are sent (JSON included), so the load
     * generator's own CPU does not compete inside the measured window with the collector it measures.
     */
    const build = (points: number) => {
      const target = producedPoints + points;
      const batches: Array<Array<{ key: string; value: string }>> = [];
      while (producedPoints < target) {
        const batch = [];
        for (let j = 0; j < 50 && producedPoints < target; j++, nextMessage++) {
          const n = Math.min(o.perMessage, target - producedPoints);
          const pts = [];
          for (let p = 0; p < n; p++) pts.push({ metric: 'bench.ingest', value: (nextMessage * 7 + p) % 1000, unit: '1', ts: new Date(base + nextMessage).toISOString(), labels: { host: `h${p}` } });
          const source = `bench-${nextMessage % Math.max(12, 2 * o.partitions)}`;
          batch.push({ key: source, value: JSON.stringify({ eventId: randomUUID(), topic: 'metrics.batch.v1', occurredAt: new Date().toISOString(), traceId: randomUUID(), key: source, payload: { source, points: pts } }) });
          producedPoints += n;
        }
        batches.push(batch);
      }
      return { batches, messages: nextMessage };
    };
    let sentMessages = 0;
    const produce = async (built: ReturnType<typeof build>) => {
      for (const batch of built.batches) {
        await producer.send({ topic: 'metrics.batch.v1', acks: -1, messages: batch });
        sentMessages += batch.length;
        while ((sentMessages - (await committedMessages())) * o.perMessage > o.window) await sleep(20);
      }
    };
    await produce(build(1_000));
    await waitStored(1_000, nextMessage, 'warm-up');
    const collectorStartSec = (Date.now() - started) / 1000;
    const main = build(o.points);
    process.stderr.write(`collector up and warmed up (${collectorStartSec.toFixed(1)} s); producing ${o.points} points\n`);
    const t0 = Date.now();
    await produce(main);
    const consumeSec = ((await waitStored(1_000 + o.points, nextMessage, 'ingest')) - t0) / 1000;
    await producer.disconnect();
    await admin.disconnect();
    const messages = nextMessage;
    const ingest = { points: o.points, perMessage: o.perMessage, messages, window: o.window, consumeSec, pointsPerSec: o.points / consumeSec, collectorStartSec };
    process.stderr.write(`ingested: ${Math.round(ingest.pointsPerSec)} points/s\n`);

    // 2. A week of data straight into the tables (the collector made the partitions at start-up).
    const l0 = Date.now();
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await db.query(
      `INSERT INTO metric_series (series_key, source, metric, unit, labels)
       SELECT json_build_array('bench-query', 'bench.query', json_build_object('host', 'q' || i))::text, 'bench-query', 'bench.query', '1', jsonb_build_object('host', 'q' || i)
       FROM generate_series(0, $1::int - 1) i`,
      [o.series],
    );
    // Two connections, each loading half of the series (raw points, then their 1 min roll-ups).
    const loaders = [db, new Client({ connectionString: url })];
    await loaders[1].connect();
    try {
      await Promise.all(
        loaders.map(async (c, half) => {
          await c.query(
            `INSERT INTO metric_points (series_id, ts, value)
             SELECT s.series_id, t, 50 + 40 * sin(extract(epoch FROM t) / 3600 + s.series_id) + random()
             FROM metric_series s, generate_series($1::timestamptz - ($2::int || ' days')::interval, $1::timestamptz - interval '1 second', ($3::int || ' seconds')::interval) t
             WHERE s.metric = 'bench.query' AND s.series_id % 2 = $4`,
            [now.toISOString(), o.days, o.intervalSec, half],
          );
          await c.query(
            `INSERT INTO metric_rollups_1m (series_id, bucket, count, sum, min, max, p95)
             SELECT p.series_id, date_trunc('minute', p.ts), count(*), sum(value), min(value), max(value), percentile_cont(0.95) WITHIN GROUP (ORDER BY value)
             FROM metric_points p JOIN metric_series s USING (series_id) WHERE s.metric = 'bench.query' AND s.series_id % 2 = $1 GROUP BY 1, 2`,
            [half],
          );
        }),
      );
    } finally {
      await loaders[1].end();
    }
    await db.query(`ANALYZE`);
    const loadSec = (Date.now() - l0) / 1000;
    const rawPoints = o.series * Math.floor((o.days * 86_400) / o.intervalSec);
    process.stderr.write(`loaded ${rawPoints} raw points + 1 min roll-ups (${loadSec.toFixed(1)} s)\n`);

    const from = new Date(now.getTime() - 86_400_000).toISOString();
    const to = now.toISOString();
    const query = async (labels: string | null) => {
      const q = new URLSearchParams({ metric: 'bench.query', from, to, step: '1m', agg: 'avg', ...(labels ? { labels } : {}) });
      const t = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/api/metrics/query?${q}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const body = (await r.json()) as { resolution: string; series: Array<{ points: unknown[] }> };
      const ms = performance.now() - t;
      if (r.status !== 200) throw new Error(`query answered ${r.status}: ${JSON.stringify(body)}`);
      return { ms, resolution: body.resolution, points: body.series.reduce((n, s) => n + s.points.length, 0) };
    };
    const measure = async (n: number, labels: () => string | null) => {
      await query(labels()); // warm-up
      const out = [];
      for (let i = 0; i < n; i++) out.push(await query(labels()));
      const ms = out.map((x) => x.ms).sort((a, b) => a - b);
      return { queries: n, points: out[0].points, resolution: out[0].resolution, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
    };
    let k = 0;
    const oneSeries = await measure(o.queries, () => `host=q${k++ % o.series}`);
    const allSeries = await measure(o.allQueries, () => null);
    return { ingest, query: { series: o.series, days: o.days, intervalSec: o.intervalSec, rawPoints, loadSec, oneSeries, allSeries } };
  } finally {
    await db.end().catch(() => undefined);
    if (collector && collector.exitCode === null) {
      const c = collector;
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
    broker?.stop();
    await scratch.drop();
  }
}

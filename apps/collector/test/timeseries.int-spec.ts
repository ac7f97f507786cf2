import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessEventBus } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { loadConfig } from '@kairos/platform';
import { createTestDatabase, FakeClock, testIdentity } from '@kairos/testing';
import { COLLECTOR_MIGRATIONS } from '../src/collector.module';
import { IngestService } from '../src/timeseries/ingest.service';
import { bucketOf, rollupOf, type Resolution } from '../src/timeseries/rollup-math';
import { PgTimeseriesRepository } from '../src/timeseries/timeseries.repository';
import { TimeseriesQueryService } from '../src/timeseries/query.service';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-30T12:00:00Z');

type Backend = () => Promise<{ db: Database; cleanup(): Promise<void> }>;
const postgres: Backend = async () => {
  const tdb = await createTestDatabase();
  const db = await Database.open({ url: tdb.url, dataDir: '/tmp', migrations: withBaseline(COLLECTOR_MIGRATIONS), poolSize: 4 });
  return { db, cleanup: async () => (await db.close(), await tdb.drop()) };
};
/** Standalone's embedded database: the same migrations and SQL (needs NODE_OPTIONS=--experimental-vm-modules, as scripts/test-all.sh sets). */
const pglite: Backend = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-ts-'));
  const db = await Database.open({ dataDir: dir, migrations: withBaseline(COLLECTOR_MIGRATIONS) });
  return { db, cleanup: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
};

describe.each([
  ['PostgreSQL', postgres],
  ['PGlite (standalone)', pglite],
])('collector time series on %s', (_name, backend) => {
  let cleanup: () => Promise<void>;
  let db: Database;
  let clock: FakeClock;
  let bus: InProcessEventBus;
  let repo: PgTimeseriesRepository;
  let svc: IngestService;
  const dead: Array<Envelope<'kairos.deadletter.v1'>> = [];

  beforeEach(async () => {
    ({ db, cleanup } = await backend());
    clock = new FakeClock(T0);
    bus = new InProcessEventBus();
    dead.length = 0;
    await bus.subscribe('kairos.deadletter.v1', { group: 'watch' }, async (e) => void dead.push(e));
    await bus.start();
    repo = new PgTimeseriesRepository(db);
    svc = new IngestService(repo, bus, clock, loadConfig({ METRICS_RAW_RETENTION_DAYS: '3', METRICS_1M_RETENTION_DAYS: '5' }), testIdentity('collector'));
    await svc.maintainPartitions();
  });

  afterEach(async () => {
    await bus.close();
    await cleanup();
  });

  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql))[0].n);

  it('stores valid points once (a replay and an in-batch duplicate add nothing), dead-letters each bad one', async () => {
    const ts = new Date(T0 - 1000).toISOString();
    const batch = {
      source: 'web-1',
      points: [
        { metric: 'lat', value: 1, ts, labels: { b: '2', a: '1' } },
        { metric: 'lat', value: 1, ts, labels: { a: '1', b: '2' } },
        { metric: 'lat', value: Number.NaN, ts },
        { metric: 'lat', value: 3, ts: new Date(T0 + 3_600_000).toISOString() },
        { metric: 'lat', value: 4, ts: new Date(T0 - 4 * DAY).toISOString() },
        { metric: 'cpu', value: 5, ts },
      ],
    };
    expect(await svc.ingest('00000000-0000-4000-8000-000000000001', batch)).toMatchObject({ stored: 2, duplicates: 1, rejected: [{ index: 2 }, { index: 3 }, { index: 4 }] });
    expect(await svc.ingest('00000000-0000-4000-8000-000000000001', batch)).toMatchObject({ stored: 0, duplicates: 3 });
    await bus.drain();
    expect(await count('SELECT count(*) AS n FROM metric_points')).toBe(2);
    expect(await count('SELECT count(*) AS n FROM metric_series')).toBe(2);
    expect(new Set(dead.map((d) => d.eventId)).size).toBe(3);
    expect(dead.map((d) => d.payload.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/points\[3\]\.ts: .* in the future/), expect.stringMatching(/points\[4\]\.ts: .*older than the raw retention/), expect.stringMatching(/points\[2\]\.value/)]),
    );
  });

  it('roll-ups at 1 min, 5 min and 1 h equal a recomputation from the raw points, across rounds and late points', async () => {
    // 3 series, 3 hours of points every 7 s with pseudo-random values, sent out of order in 40 batches,
    // rolled up after some batches (incremental), plus a late batch into already rolled-up buckets.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const points: Array<{ metric: string; value: number; ts: string; labels: Record<string, string> }> = [];
    for (let t = T0 - 3 * 3_600_000; t < T0; t += 7_000) {
      for (const host of ['a', 'b', 'c']) points.push({ metric: 'cpu', value: Math.round(rnd() * 1000) / 10, ts: new Date(t).toISOString(), labels: { host } });
    }
    points.sort(() => rnd() - 0.5);
    const chunk = Math.ceil(points.length / 40);
    for (let i = 0; i < 40; i++) {
      await svc.ingest(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { source: 's', points: points.slice(i * chunk, (i + 1) * chunk) });
      if (i % 7 === 3) await svc.rollUp();
    }
    // A round limited to 2 dirty minutes takes every dirty row of those 2 minutes (at least 2 rows).
    const before = await count('SELECT count(*) AS n FROM metric_rollup_dirty');
    const taken = await repo.rollUpDirty(2);
    expect(taken).toBeGreaterThanOrEqual(2);
    expect(await count('SELECT count(*) AS n FROM metric_rollup_dirty')).toBe(before - taken);
    await svc.rollUp();
    expect(await count('SELECT count(*) AS n FROM metric_rollup_dirty')).toBe(0);

    const raw = await db.query<{ series_id: string; ts: Date; value: number }>('SELECT series_id::text, ts, value FROM metric_points');
    expect(raw).toHaveLength(points.length);
    for (const r of ['1m', '5m', '1h'] as Resolution[]) {
      const groups = new Map<string, number[]>();
      for (const p of raw) {
        const k = `${p.series_id}|${new Date(bucketOf(p.ts.getTime(), r)).toISOString()}`;
        groups.set(k, [...(groups.get(k) ?? []), p.value]);
      }
      const stored = await repo.rollups(r);
      expect(stored).toHaveLength(groups.size);
      for (const s of stored) {
        const want = rollupOf(groups.get(`${s.seriesId}|${new Date(s.bucket).toISOString()}`) ?? []);
        expect(s.count).toBe(want.count);
        expect(s.min).toBe(want.min);
        expect(s.max).toBe(want.max);
        expect(s.sum).toBeCloseTo(want.sum, 6);
        expect(s.p95).toBeCloseTo(want.p95, 9);
      }
    }
  });

  it('retention: partitions are created ahead and dropped when past retention, taking their points with them', async () => {
    const before = await repo.listPartitions('metric_points');
    // raw retention 3 days: partitions from T0 − 3 d (2026-11-27) to T0 + 2 d (2026-12-02)
    expect(before).toEqual(['metric_points_p20261127', 'metric_points_p20261128', 'metric_points_p20261129', 'metric_points_p20261130', 'metric_points_p20261201', 'metric_points_p20261202']);
    await svc.ingest('00000000-0000-4000-8000-0000000000a1', {
      source: 's',
      points: [
        { metric: 'm', value: 1, ts: '2026-11-27T13:00:00Z' },
        { metric: 'm', value: 2, ts: '2026-11-29T13:00:00Z' },
        { metric: 'm', value: 3, ts: '2026-11-30T11:00:00Z' },
      ],
    });
    await svc.rollUp();
    expect(await count('SELECT count(*) AS n FROM metric_points')).toBe(3);

    clock.advance(2 * DAY); // now 2026-12-02T12:00Z: 11-27 ends 11-28, older than now − 3 d − 1 d = 11-28T12:00Z → dropped
    const dropped = await svc.maintainPartitions();
    expect(dropped).toContain('metric_points_p20261127');
    expect(dropped).not.toContain('metric_points_p20261128');
    expect(await repo.listPartitions('metric_points')).not.toContain('metric_points_p20261127');
    expect((await repo.listPartitions('metric_points')).at(-1)).toBe('metric_points_p20261204');
    expect(await count('SELECT count(*) AS n FROM metric_points')).toBe(2);
    // 1 min roll-ups keep 5 days: the 11-27 roll-up is still there
    expect(await count(`SELECT count(*) AS n FROM metric_rollups_1m WHERE bucket < '2026-11-28'`)).toBe(1);
  });

  it('query API: series by labels, range at the resolution the step needs (same answer as from raw points), latest', async () => {
    const q = new TimeseriesQueryService(repo, clock, svc);
    const want = new Map<string, Map<number, number[]>>();
    const points = [];
    for (let t = T0 - 2 * 3_600_000; t < T0; t += 10_000) {
      for (const host of ['a', 'b']) {
        const value = ((t / 10_000) % 17) + (host === 'a' ? 0 : 100);
        points.push({ metric: 'cpu', value, ts: new Date(t).toISOString(), labels: { host, env: 'prod' } });
        for (const step of [60_000, 300_000]) {
          const k = `${host}|${step}`;
          if (!want.has(k)) want.set(k, new Map());
          const b = Math.floor(t / step) * step;
          want.get(k)!.set(b, [...(want.get(k)!.get(b) ?? []), value]);
        }
      }
    }
    for (let i = 0; i < points.length; i += 500) await svc.ingest(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { source: 'node', points: points.slice(i, i + 500) });
    await svc.rollUp();

    expect((await q.series({ metric: 'cpu', labels: 'host=a', limit: 10 })).map((s) => s.labels)).toEqual([{ env: 'prod', host: 'a' }]);
    expect(await q.series({ labels: 'host=zz', limit: 10 })).toEqual([]);
    await expect(q.series({ labels: 'host', limit: 10 })).rejects.toThrow(/labels: "host" is not name=value/);

    const from = new Date(T0 - 2 * 3_600_000).toISOString();
    const to = new Date(T0).toISOString();
    const check = async (step: string, stepMs: number, agg: 'avg' | 'p95' | 'max', resolution: string) => {
      const r = await q.range({ metric: 'cpu', labels: 'env=prod', from, to, step, agg });
      expect(r.resolution).toBe(resolution);
      expect(r.series).toHaveLength(2);
      for (const s of r.series) {
        const buckets = want.get(`${s.labels.host}|${stepMs}`)!;
        expect(s.points).toHaveLength(buckets.size);
        for (const [t, v] of s.points) {
          const ref = rollupOf(buckets.get(Date.parse(t))!);
          expect(v).toBeCloseTo(agg === 'avg' ? ref.sum / ref.count : agg === 'max' ? ref.max : ref.p95, 9);
        }
      }
    };
    await check('1m', 60_000, 'avg', '1m');
    await check('5m', 300_000, 'p95', '5m');
    await check('5m', 300_000, 'max', '5m');
    const raw = await q.range({ metric: 'cpu', labels: 'host=b', from: new Date(T0 - 60_000).toISOString(), to, step: '10s', agg: 'avg' });
    expect(raw.resolution).toBe('raw');
    expect(raw.series[0].points).toHaveLength(6);
    await expect(q.range({ metric: 'cpu', from, to, step: '1 m', agg: 'avg' })).rejects.toThrow(/^step: "1 m" is not a duration/);

    const latest = await q.latest({ metric: 'cpu' });
    expect(latest.map((l) => [l.labels.host, l.ts])).toEqual([
      ['a', new Date(T0 - 10_000).toISOString()],
      ['b', new Date(T0 - 10_000).toISOString()],
    ]);
  });
});

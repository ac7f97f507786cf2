import { Inject, Injectable } from '@nestjs/common';
import type { MetricPoint } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';
import type { Partition, PartitionedTable } from './partitions';
import type { Aggregation, RangePlan } from './query-plan';
import type { Resolution } from './rollup-math';
import { canonicalLabels, seriesKey } from './series-key';

export const TIMESERIES_REPOSITORY = Symbol('TIMESERIES_REPOSITORY');

/** A validated point of a batch, ready to store. */
export interface PointToStore {
  source: string;
  point: MetricPoint;
  tsMs: number;
}

export interface StoredRollup {
  seriesId: string;
  bucket: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  p95: number;
}

export interface SeriesRow {
  seriesId: string;
  source: string;
  metric: string;
  unit: string;
  labels: Record<string, string>;
}

/** The collector's time-series tables (migration Timeseries1732350013000). */
export interface TimeseriesRepository {
  /** Stores points (idempotent on series + ts); resolves once durable with how many were new. */
  insertPoints(points: readonly PointToStore[]): Promise<number>;
  createPartitions(parts: readonly Partition[]): Promise<void>;
  listPartitions(table: PartitionedTable['table']): Promise<string[]>;
  dropPartitions(names: readonly string[]): Promise<void>;
  /** One roll-up round over at most `limit` dirty minutes (series, minute); returns the dirty rows consumed (at least as many). */
  rollUpDirty(limit: number): Promise<number>;
  rollups(resolution: Resolution, seriesIds?: readonly string[]): Promise<StoredRollup[]>;
  series(): Promise<SeriesRow[]>;
  /** Series matching a metric, source and labels (a label set contains the given pairs), by id. */
  findSeries(match: SeriesMatch, limit: number): Promise<SeriesRow[]>;
  /** Bucketed values per series for a planned range. */
  range(seriesIds: readonly string[], plan: RangePlan): Promise<RangeRow[]>;
  /** The newest point of each series at or after `sinceMs`. */
  latest(seriesIds: readonly string[], sinceMs: number): Promise<LatestRow[]>;
}

export interface SeriesMatch {
  metric?: string;
  source?: string;
  labels?: Record<string, string>;
}

export interface RangeRow {
  seriesId: string;
  t: Date;
  v: number;
}

export interface LatestRow {
  seriesId: string;
  ts: Date;
  value: number;
}

const RAW_AGG: Record<Aggregation, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(*)::float8',
  p95: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY value)',
};
/** Merging roll-up buckets into a step; p95 only ever reads one bucket per step (query-plan.ts). */
const ROLLUP_AGG: Record<Aggregation, string> = {
  avg: 'sum(sum) / sum(count)',
  min: 'min(min)',
  max: 'max(max)',
  sum: 'sum(sum)',
  count: 'sum(count)::float8',
  p95: 'max(p95)',
};

interface PointBatch {
  points: readonly PointToStore[];
}

/** Batches (messages) per group-commit statement, and statements in flight at once (on separate pool connections). */
const FLUSH_MAX_BATCHES = 64;
const FLUSH_CONCURRENCY = 2;

/**
 * PostgreSQL. Concurrent batches (the messages in flight on the partitions being consumed) are
 * group-committed: one statement inserts the points of several messages and their dirty minutes
 * together, and up to FLUSH_CONCURRENCY such statements run at once. Each inserts its rows ordered by
 * (series_id, ts), so two statements that meet on the same keys (a replay) wait for one another in
 * the same order instead of deadlocking.
 */
@Injectable()
export class PgTimeseriesRepository implements TimeseriesRepository {
  private readonly seriesIds = new Map<string, string>();
  private readonly known = new Set<string>();
  private readonly batcher = new GroupBatcher<PointBatch, number>((batches) => this.flush(batches), FLUSH_MAX_BATCHES, FLUSH_CONCURRENCY);

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  insertPoints(points: readonly PointToStore[]): Promise<number> {
    if (points.length === 0) return Promise.resolve(0);
    return this.batcher.add({ points });
  }

  private async flush(batches: PointBatch[]): Promise<number[]> {
    const all = batches.flatMap((b) => b.points);
    const keys = all.map((p) => seriesKey(p.source, p.point.metric, p.point.labels));
    const ids = await this.resolveSeries(all, keys);
    // Array literals built here: ids are digits and the numbers finite (validated), so nothing needs the
    // per-element quoting node-postgres would apply; timestamps travel as epoch milliseconds.
    const sid: string[] = [];
    const ms: number[] = [];
    const val: number[] = [];
    const owner: number[] = [];
    let k = 0;
    batches.forEach((b, i) =>
      b.points.forEach((p) => {
        sid.push(ids.get(keys[k++])!);
        ms.push(p.tsMs);
        val.push(p.point.value);
        owner.push(i);
      }),
    );
    const literal = (xs: ReadonlyArray<string | number>) => `{${xs.join(',')}}`;
    // Each batch learns how many of its points were new. When every row was new (no replay, no point
    // twice in the statement) that is its point count; only otherwise are the new rows joined back to
    // their batch (row → batch index; a point twice in the statement counts for its first batch).
    const [res] = await this.db.query<{ n: number; owners: number[] | null }>(
      `WITH src AS (
         SELECT DISTINCT ON (series_id, ts) series_id, ts, value, owner
         FROM (SELECT series_id, timestamptz 'epoch' + ms * interval '1 millisecond' AS ts, value, owner, n
               FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::int[]) WITH ORDINALITY AS u(series_id, ms, value, owner, n)) u
         ORDER BY series_id, ts, n
       ), ins AS (
         INSERT INTO metric_points (series_id, ts, value) SELECT series_id, ts, value FROM src
         ON CONFLICT (series_id, ts) DO NOTHING RETURNING series_id, ts
       ), dirty AS (
         INSERT INTO metric_rollup_dirty (series_id, minute) SELECT DISTINCT series_id, date_trunc('minute', ts) FROM ins
       )
       SELECT c.n, CASE WHEN c.n = $5 THEN NULL
                        ELSE (SELECT coalesce(array_agg(src.owner), '{}') FROM ins JOIN src USING (series_id, ts)) END AS owners
       FROM (SELECT count(*)::int AS n FROM ins) c`,
      [literal(sid), literal(ms), literal(val), literal(owner), sid.length],
    );
    if (!res.owners) return batches.map((b) => b.points.length);
    const counts = batches.map(() => 0);
    for (const i of res.owners) counts[Number(i)]++;
    return counts;
  }

  /**
   * Series ids by key (`keys[i]` is the key of `points[i]`), creating missing series (cached: a series
   * is never renamed or deleted). A series another connection is creating at the same moment may not
   * be visible to this statement's snapshot (ON CONFLICT waited for it, the SELECT predates it), so
   * whatever is still missing is asked for again.
   */
  private async resolveSeries(points: readonly PointToStore[], keys: readonly string[]): Promise<Map<string, string>> {
    for (let round = 1; ; round++) {
      const missing = new Map<string, { source: string; metric: string; unit: string; labels: Record<string, string> }>();
      points.forEach((p, i) => {
        const key = keys[i];
        if (!this.seriesIds.has(key) && !missing.has(key)) missing.set(key, { source: p.source, metric: p.point.metric, unit: p.point.unit, labels: canonicalLabels(p.point.labels) });
      });
      if (missing.size === 0) return this.seriesIds;
      if (round > 3) throw new Error(`metric series not found after creating them: ${[...missing.keys()].slice(0, 3).join(', ')}`);
      const rows = await this.db.query<{ series_id: string; series_key: string }>(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(series_key text, source text, metric text, unit text, labels jsonb)),
         ins AS (INSERT INTO metric_series (series_key, source, metric, unit, labels) SELECT series_key, source, metric, unit, labels FROM x
                 ON CONFLICT (series_key) DO NOTHING RETURNING series_id, series_key)
         SELECT series_id::text, series_key FROM ins
         UNION ALL SELECT s.series_id::text, s.series_key FROM metric_series s JOIN x USING (series_key)`,
        // In key order, so two connections creating the same series lock them in the same order.
        [JSON.stringify([...missing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([series_key, s]) => ({ series_key, ...s })))],
      );
      for (const r of rows) this.seriesIds.set(r.series_key, r.series_id);
    }
  }

  async createPartitions(parts: readonly Partition[]): Promise<void> {
    for (const p of parts) {
      if (this.known.has(p.name)) continue;
      // Names and bounds come from partitions.ts (table names from a fixed union, dates formatted there), never from input.
      await this.db.query(
        `CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF ${p.table} FOR VALUES FROM ('${new Date(p.fromMs).toISOString()}') TO ('${new Date(p.toMs).toISOString()}')`,
      );
      this.known.add(p.name);
    }
  }

  async listPartitions(table: PartitionedTable['table']): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 ORDER BY 1`,
      [table],
    );
    return rows.map((r) => r.name);
  }

  async dropPartitions(names: readonly string[]): Promise<void> {
    for (const n of names) {
      if (!/^metric_(points|rollups_1m|rollups_5m|rollups_1h)_p\d{8}$/.test(n)) throw new Error(`refusing to drop ${n}: not a metric partition`);
      await this.db.query(`DROP TABLE IF EXISTS ${n}`);
      this.known.delete(n);
    }
  }

  /**
   * One statement (atomic): take up to `limit` dirty minutes (series, minute; oldest first) with every
   * dirty row of theirs that the statement sees, recompute from raw points every 1 min, 5 min and 1 h
   * bucket they touch (count, sum, min, max, p95 = percentile_cont(0.95)), upsert, and delete exactly
   * the dirty rows read. A dirty row the statement sees belongs to points its snapshot sees, so they
   * are in the recomputation; points committed after the snapshot left their own dirty rows, which
   * the next round takes. Taking all of a minute's rows at once keeps a minute written by many
   * group commits from being recomputed once per chunk of its rows.
   */
  async rollUpDirty(limit: number): Promise<number> {
    const rollup = (r: Resolution, trunc: string) => `
      r${r} AS (
        INSERT INTO metric_rollups_${r} (series_id, bucket, count, sum, min, max, p95)
        SELECT p.series_id, k.bucket, count(*), sum(p.value), min(p.value), max(p.value), percentile_cont(0.95) WITHIN GROUP (ORDER BY p.value)
        FROM (SELECT DISTINCT series_id, ${trunc} AS bucket FROM d) k
        JOIN metric_points p ON p.series_id = k.series_id AND p.ts >= k.bucket AND p.ts < k.bucket + interval '${r === '1m' ? '1 minute' : r === '5m' ? '5 minutes' : '1 hour'}'
        GROUP BY p.series_id, k.bucket
        ON CONFLICT (series_id, bucket) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max, p95 = EXCLUDED.p95
        RETURNING 1
      )`;
    const rows = await this.db.query<{ n: string }>(
      `WITH pick AS (
         SELECT series_id, minute FROM metric_rollup_dirty GROUP BY series_id, minute ORDER BY min(id) LIMIT $1
       ), d AS (
         DELETE FROM metric_rollup_dirty WHERE id IN (
           SELECT m.id FROM metric_rollup_dirty m JOIN pick USING (series_id, minute) FOR UPDATE OF m SKIP LOCKED
         )
         RETURNING series_id, minute
       ),
       -- Data-modifying CTEs run to completion whether or not the main query reads them.
       ${rollup('1m', 'minute')},
       ${rollup('5m', `date_bin('5 minutes', minute, timestamptz '1970-01-01')`)},
       ${rollup('1h', `date_trunc('hour', minute)`)}
       SELECT count(*) AS n FROM d`,
      [limit],
    );
    return Number(rows[0]?.n ?? 0);
  }

  rollups(resolution: Resolution, seriesIds?: readonly string[]): Promise<StoredRollup[]> {
    const table = { '1m': 'metric_rollups_1m', '5m': 'metric_rollups_5m', '1h': 'metric_rollups_1h' }[resolution];
    return this.db.query<StoredRollup>(
      `SELECT series_id::text AS "seriesId", bucket, count::int AS count, sum, min, max, p95 FROM ${table}
       WHERE $1::bigint[] IS NULL OR series_id = ANY($1::bigint[]) ORDER BY series_id, bucket`,
      [seriesIds ? [...seriesIds] : null],
    );
  }

  series(): Promise<SeriesRow[]> {
    return this.db.query<SeriesRow>(`SELECT series_id::text AS "seriesId", source, metric, unit, labels FROM metric_series ORDER BY series_id`);
  }

  findSeries(match: SeriesMatch, limit: number): Promise<SeriesRow[]> {
    return this.db.query<SeriesRow>(
      `SELECT series_id::text AS "seriesId", source, metric, unit, labels FROM metric_series
       WHERE ($1::text IS NULL OR metric = $1) AND ($2::text IS NULL OR source = $2) AND labels @> $3::jsonb
       ORDER BY series_id LIMIT $4`,
      [match.metric ?? null, match.source ?? null, JSON.stringify(match.labels ?? {}), limit],
    );
  }

  range(seriesIds: readonly string[], plan: RangePlan): Promise<RangeRow[]> {
    const raw = plan.resolution === 'raw';
    const table = raw ? 'metric_points' : `metric_rollups_${plan.resolution}`;
    const t = raw ? 'ts' : 'bucket';
    return this.db.query<RangeRow>(
      `SELECT series_id::text AS "seriesId", date_bin(($2 || ' milliseconds')::interval, ${t}, timestamptz '1970-01-01') AS t, ${(raw ? RAW_AGG : ROLLUP_AGG)[plan.agg]} AS v
       FROM ${table} WHERE series_id = ANY($1::bigint[]) AND ${t} >= $3 AND ${t} < $4
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [[...seriesIds], String(plan.stepMs), new Date(plan.fromMs).toISOString(), new Date(plan.toMs).toISOString()],
    );
  }

  latest(seriesIds: readonly string[], sinceMs: number): Promise<LatestRow[]> {
    return this.db.query<LatestRow>(
      `SELECT s.id::text AS "seriesId", p.ts, p.value FROM unnest($1::bigint[]) AS s(id)
       CROSS JOIN LATERAL (SELECT ts, value FROM metric_points WHERE series_id = s.id AND ts >= $2 ORDER BY ts DESC LIMIT 1) p
       ORDER BY s.id`,
      [[...seriesIds], new Date(sinceMs).toISOString()],
    );
  }
}

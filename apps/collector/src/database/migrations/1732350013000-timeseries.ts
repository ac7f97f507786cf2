import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The collector's time series (metrics.batch.v1, POST /api/metrics/batch): series, raw points and
 * 1 min / 5 min / 1 h roll-ups, each range-partitioned by time (declarative partitioning). Partitions
 * are created ahead and dropped by retention at run time (timeseries/partitions.ts), not here.
 * A point's identity is (series_id, ts): a replay inserts nothing (ON CONFLICT DO NOTHING).
 * metric_rollup_dirty: minutes with new raw points, written in the same statement as the points and
 * consumed by the roll-up round (no unique key on purpose: a round deletes exactly the rows it read).
 */
export class Timeseries1732350013000 implements MigrationInterface {
  name = 'Timeseries1732350013000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE metric_series (
      series_id bigserial PRIMARY KEY,
      series_key text NOT NULL UNIQUE,
      source text NOT NULL,
      metric text NOT NULL,
      unit text NOT NULL,
      labels jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX metric_series_metric ON metric_series (metric, source)`);
    await q.query(`CREATE INDEX metric_series_labels ON metric_series USING gin (labels jsonb_path_ops)`);
    await q.query(`CREATE TABLE metric_points (
      series_id bigint NOT NULL,
      ts timestamptz NOT NULL,
      value float8 NOT NULL,
      PRIMARY KEY (series_id, ts)
    ) PARTITION BY RANGE (ts)`);
    for (const r of ['1m', '5m', '1h']) {
      await q.query(`CREATE TABLE metric_rollups_${r} (
        series_id bigint NOT NULL,
        bucket timestamptz NOT NULL,
        count bigint NOT NULL,
        sum float8 NOT NULL,
        min float8 NOT NULL,
        max float8 NOT NULL,
        p95 float8 NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) PARTITION BY RANGE (bucket)`);
    }
    await q.query(`CREATE TABLE metric_rollup_dirty (
      id bigserial PRIMARY KEY,
      series_id bigint NOT NULL,
      minute timestamptz NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['metric_rollup_dirty', 'metric_rollups_1h', 'metric_rollups_5m', 'metric_rollups_1m', 'metric_points', 'metric_series']) await q.query(`DROP TABLE ${t}`);
  }
}

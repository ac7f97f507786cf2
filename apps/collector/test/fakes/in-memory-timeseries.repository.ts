import type { Partition, PartitionedTable } from '../../src/timeseries/partitions';
import { bucketOf, rollupOf, type Resolution } from '../../src/timeseries/rollup-math';
import { canonicalLabels, seriesKey } from '../../src/timeseries/series-key';
import type { RangePlan } from '../../src/timeseries/query-plan';
import type { LatestRow, PointToStore, RangeRow, SeriesMatch, SeriesRow, StoredRollup, TimeseriesRepository } from '../../src/timeseries/timeseries.repository';

/** TimeseriesRepository in memory: points keyed by (series, ts) like the table's primary key; roll-ups recomputed from them. */
export class InMemoryTimeseriesRepository implements TimeseriesRepository {
  readonly seriesByKey = new Map<string, SeriesRow>();
  /** `${seriesId}|${tsMs}` → value */
  readonly points = new Map<string, number>();
  readonly partitions = new Map<string, Partition>();
  private dirty = new Set<string>();

  async insertPoints(points: readonly PointToStore[]): Promise<number> {
    let n = 0;
    for (const p of points) {
      const key = seriesKey(p.source, p.point.metric, p.point.labels);
      let s = this.seriesByKey.get(key);
      if (!s) {
        s = { seriesId: String(this.seriesByKey.size + 1), source: p.source, metric: p.point.metric, unit: p.point.unit, labels: canonicalLabels(p.point.labels) };
        this.seriesByKey.set(key, s);
      }
      const pk = `${s.seriesId}|${p.tsMs}`;
      if (this.points.has(pk)) continue;
      this.points.set(pk, p.point.value);
      this.dirty.add(`${s.seriesId}|${bucketOf(p.tsMs, '1m')}`);
      n++;
    }
    return n;
  }

  async createPartitions(parts: readonly Partition[]): Promise<void> {
    for (const p of parts) this.partitions.set(p.name, p);
  }

  async listPartitions(table: PartitionedTable['table']): Promise<string[]> {
    return [...this.partitions.values()].filter((p) => p.table === table).map((p) => p.name).sort();
  }

  async dropPartitions(names: readonly string[]): Promise<void> {
    for (const n of names) this.partitions.delete(n);
  }

  async rollUpDirty(): Promise<number> {
    const n = this.dirty.size;
    this.dirty = new Set();
    return n;
  }

  async rollups(resolution: Resolution, seriesIds?: readonly string[]): Promise<StoredRollup[]> {
    const groups = new Map<string, number[]>();
    for (const [pk, v] of this.points) {
      const [sid, ts] = pk.split('|');
      if (seriesIds && !seriesIds.includes(sid)) continue;
      const g = `${sid}|${bucketOf(Number(ts), resolution)}`;
      groups.set(g, [...(groups.get(g) ?? []), v]);
    }
    return [...groups].map(([g, vs]) => {
      const [seriesId, b] = g.split('|');
      return { seriesId, bucket: new Date(Number(b)).toISOString(), ...rollupOf(vs) };
    });
  }

  async series(): Promise<SeriesRow[]> {
    return [...this.seriesByKey.values()];
  }

  async findSeries(m: SeriesMatch, limit: number): Promise<SeriesRow[]> {
    return [...this.seriesByKey.values()]
      .filter((s) => (m.metric === undefined || s.metric === m.metric) && (m.source === undefined || s.source === m.source))
      .filter((s) => Object.entries(m.labels ?? {}).every(([k, v]) => s.labels[k] === v))
      .slice(0, limit);
  }

  /** Raw points bucketed by the step (average only: enough for wiring tests; the SQL is tested on PostgreSQL). */
  async range(seriesIds: readonly string[], plan: RangePlan): Promise<RangeRow[]> {
    const groups = new Map<string, number[]>();
    for (const [pk, v] of this.points) {
      const [sid, ts] = pk.split('|');
      const t = Number(ts);
      if (!seriesIds.includes(sid) || t < plan.fromMs || t >= plan.toMs) continue;
      const g = `${sid}|${Math.floor(t / plan.stepMs) * plan.stepMs}`;
      groups.set(g, [...(groups.get(g) ?? []), v]);
    }
    return [...groups].map(([g, vs]) => {
      const [seriesId, t] = g.split('|');
      return { seriesId, t: new Date(Number(t)), v: vs.reduce((a, b) => a + b, 0) / vs.length };
    });
  }

  async latest(seriesIds: readonly string[], sinceMs: number): Promise<LatestRow[]> {
    const best = new Map<string, LatestRow>();
    for (const [pk, value] of this.points) {
      const [sid, ts] = pk.split('|');
      const t = Number(ts);
      if (!seriesIds.includes(sid) || t < sinceMs) continue;
      if ((best.get(sid)?.ts.getTime() ?? -Infinity) < t) best.set(sid, { seriesId: sid, ts: new Date(t), value });
    }
    return [...best.values()];
  }
}

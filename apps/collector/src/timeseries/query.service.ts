import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, DomainError, type Clock } from '@kairos/platform';
import { IngestService } from './ingest.service';
import { MAX_SERIES, parseDuration, parseLabelMatcher, planRange, type Aggregation, type ReadResolution, type RetentionMs } from './query-plan';
import { TIMESERIES_REPOSITORY, type SeriesMatch, type SeriesRow, type TimeseriesRepository } from './timeseries.repository';

export class MetricQueryError extends DomainError<'METRIC_QUERY_INVALID'> {
  readonly code = 'METRIC_QUERY_INVALID' as const;
}

export interface SeriesWithPoints extends SeriesRow {
  /** [ISO time, value] per bucket; buckets without points are absent. */
  points: Array<[string, number]>;
}

export interface RangeResult {
  resolution: ReadResolution;
  stepMs: number;
  agg: Aggregation;
  from: string;
  to: string;
  series: SeriesWithPoints[];
}

/** Reads of the time series: series by labels, range queries at the resolution the range needs, latest values. */
@Injectable()
export class TimeseriesQueryService {
  constructor(
    @Inject(TIMESERIES_REPOSITORY) private readonly repo: TimeseriesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ingest: IngestService,
  ) {}

  private retention(): RetentionMs {
    const r = Object.fromEntries(this.ingest.settings.tables.map((t) => [t.table, t.retentionMs]));
    return { raw: r.metric_points, '1m': r.metric_rollups_1m, '5m': r.metric_rollups_5m, '1h': r.metric_rollups_1h };
  }

  private match(q: { metric?: string; source?: string; labels?: string }): SeriesMatch {
    const labels = q.labels === undefined ? {} : parseLabelMatcher(q.labels);
    if (typeof labels === 'string') throw new MetricQueryError(labels, { field: 'labels' });
    return { metric: q.metric, source: q.source, labels };
  }

  async series(q: { metric?: string; source?: string; labels?: string; limit: number }): Promise<SeriesRow[]> {
    return this.repo.findSeries(this.match(q), q.limit);
  }

  async range(q: { metric: string; source?: string; labels?: string; from: string; to: string; step: string; agg: Aggregation }): Promise<RangeResult> {
    const stepMs = parseDuration(q.step);
    if (stepMs === null) throw new MetricQueryError(`step: "${q.step}" is not a duration like 10s, 1m, 5m, 1h`, { field: 'step' });
    const plan = planRange({ fromMs: Date.parse(q.from), toMs: Date.parse(q.to), stepMs, agg: q.agg }, this.clock.now(), this.retention());
    if (typeof plan === 'string') throw new MetricQueryError(plan, { field: plan.slice(0, plan.indexOf(':')) });
    const series = await this.repo.findSeries(this.match(q), MAX_SERIES);
    const rows = series.length ? await this.repo.range(series.map((s) => s.seriesId), plan) : [];
    const byId = new Map(series.map((s) => [s.seriesId, { ...s, points: [] as Array<[string, number]> }]));
    for (const r of rows) byId.get(r.seriesId)?.points.push([new Date(r.t).toISOString(), Number(r.v)]);
    return { resolution: plan.resolution, stepMs, agg: q.agg, from: new Date(plan.fromMs).toISOString(), to: new Date(plan.toMs).toISOString(), series: [...byId.values()] };
  }

  async latest(q: { metric: string; source?: string; labels?: string }): Promise<Array<SeriesRow & { ts: string; value: number }>> {
    const series = await this.repo.findSeries(this.match(q), MAX_SERIES);
    if (!series.length) return [];
    const latest = await this.repo.latest(
      series.map((s) => s.seriesId),
      this.clock.now() - this.retention().raw,
    );
    const byId = new Map(series.map((s) => [s.seriesId, s]));
    return latest.map((l) => ({ ...byId.get(l.seriesId)!, ts: new Date(l.ts).toISOString(), value: Number(l.value) }));
  }
}

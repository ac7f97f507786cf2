import { z } from 'zod';
import { RESOLUTIONS, type Resolution } from './rollup-math';

/**
 * Pure planning of time-series queries: parsing the query string, and choosing the resolution a
 * range query reads. Errors are strings naming the parameter.
 */
export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count', 'p95'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export type ReadResolution = 'raw' | Resolution;

/** Most buckets one series may return. */
export const MAX_POINTS_PER_SERIES = 11_000;
/** Most series one query may return. */
export const MAX_SERIES = 1_000;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `250ms`, `10s`, `1m`, `5m`, `1h`, `1d` → ms; null when malformed. */
export function parseDuration(s: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(s);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}

/** `host=a,env=prod` → { host: 'a', env: 'prod' }. */
export function parseLabelMatcher(s: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `labels: "${part}" is not name=value (use labels=host=a,env=prod)`;
    const k = part.slice(0, eq);
    if (k in out) return `labels: ${k} given twice`;
    out[k] = part.slice(eq + 1);
  }
  return out;
}

const text = (max: number) => z.string().min(1).max(max);
const iso = z.iso.datetime({ offset: true });

export const SeriesQuerySchema = z
  .object({ metric: text(200).optional(), source: text(200).optional(), labels: text(4_000).optional(), limit: z.coerce.number().int().min(1).max(MAX_SERIES).default(MAX_SERIES) })
  .strict();
export const RangeQuerySchema = z
  .object({
    metric: text(200),
    source: text(200).optional(),
    labels: text(4_000).optional(),
    from: iso,
    to: iso,
    step: text(20),
    agg: z.enum(AGGREGATIONS).default('avg'),
  })
  .strict();
export const LatestQuerySchema = z.object({ metric: text(200), source: text(200).optional(), labels: text(4_000).optional() }).strict();

export interface RangePlan {
  resolution: ReadResolution;
  /** Aligned down to the step. */
  fromMs: number;
  toMs: number;
  stepMs: number;
  agg: Aggregation;
}

export interface RetentionMs {
  raw: number;
  '1m': number;
  '5m': number;
  '1h': number;
}

/**
 * The resolution a range query reads: the coarsest roll-up whose bucket width divides the step and
 * whose retention still covers `from`; raw points when the step is finer than a minute (or not a
 * whole number of minutes). p95 cannot be merged across buckets, so it needs a roll-up of exactly the
 * step, or raw points.
 */
export function planRange(q: { fromMs: number; toMs: number; stepMs: number; agg: Aggregation }, nowMs: number, retention: RetentionMs): RangePlan | string {
  if (q.toMs <= q.fromMs) return 'to: must be after from';
  const fromMs = Math.floor(q.fromMs / q.stepMs) * q.stepMs;
  const buckets = Math.ceil((q.toMs - fromMs) / q.stepMs);
  if (buckets > MAX_POINTS_PER_SERIES) return `step: ${buckets} buckets per series; at most ${MAX_POINTS_PER_SERIES} (use a larger step or a shorter range)`;
  const covers = (r: ReadResolution) => fromMs >= nowMs - retention[r];
  const rollups = (Object.keys(RESOLUTIONS) as Resolution[]).sort((a, b) => RESOLUTIONS[b] - RESOLUTIONS[a]);
  for (const r of rollups) {
    const w = RESOLUTIONS[r];
    const fits = q.agg === 'p95' ? q.stepMs === w : q.stepMs % w === 0;
    if (fits && covers(r)) return { resolution: r, fromMs, toMs: q.toMs, stepMs: q.stepMs, agg: q.agg };
  }
  if (covers('raw')) return { resolution: 'raw', fromMs, toMs: q.toMs, stepMs: q.stepMs, agg: q.agg };
  return q.agg === 'p95'
    ? 'from: older than the raw retention, and p95 past it needs step 1m, 5m or 1h within that roll-up’s retention'
    : 'from: no resolution kept that far back for this step (raw and roll-up retention exceeded, or step not a multiple of 1m)';
}

import { z } from 'zod';

/**
 * metrics.batch.v1: metrics from any producer (inside or outside Kairos) as a batch of points.
 *
 * Two schemas on purpose. The bus validates the *wire* schema (`MetricsBatchWireSchema`): the
 * envelope, `source`, and that `points` is an array of 1..maxPoints entries; a message failing that
 * goes whole to the dead-letter topic. Each point is then validated on its own against
 * `MetricPointSchema` (plus the collector's timestamp window), so one bad point goes to the
 * dead-letter topic with its reason and the rest of the batch is stored. Producers see the strict
 * form (`MetricsBatchSchema`), published as JSON Schema in libs/contracts/schemas/.
 */
export const METRICS_BATCH_LIMITS = {
  /** Points in one message (a Kafka message of 1,000 points with a few labels stays well under 1 MB). */
  points: 1_000,
  sourceChars: 200,
  metricChars: 200,
  unitChars: 32,
  labels: 16,
  labelKeyChars: 64,
  labelValueChars: 256,
} as const;

const L = METRICS_BATCH_LIMITS;
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

export const MetricPointSchema = z
  .object({
    /** Metric name, e.g. `http.requests.latency_ms`: a letter or `_`, then letters, digits, `_ . : -`. */
    metric: z.string().min(1).max(L.metricChars).regex(NAME, 'metric: letters, digits and _ . : - only, starting with a letter or _'),
    /** A finite number (JSON has no NaN or Infinity; a string such as "NaN" is a wrong type). */
    value: z.number(),
    /** Unit as the producer names it (`ms`, `bytes`, `percent`, `1`); empty when unitless. */
    unit: z.string().max(L.unitChars).default(''),
    /** When the value was observed: ISO 8601 with a time zone, e.g. 2026-11-30T01:02:03.456Z. */
    ts: z.iso.datetime({ offset: true }),
    /** Series labels; the series is (source, metric, labels). */
    labels: z
      .record(z.string().min(1).max(L.labelKeyChars).regex(NAME, 'label name: letters, digits and _ . : - only'), z.string().max(L.labelValueChars))
      .refine((r) => Object.keys(r).length <= L.labels, { message: `at most ${L.labels} labels` })
      .meta({ maxProperties: L.labels })
      .default({}),
  })
  .strict();
export type MetricPoint = z.infer<typeof MetricPointSchema>;

const SourceSchema = z.string().min(1).max(L.sourceChars);

/** What the bus checks before the consumer sees a batch (see above). */
export const MetricsBatchWireSchema = z.object({
  /** Who produced the batch (a service, host or exporter name); part of every point's series. */
  source: SourceSchema,
  points: z.array(z.unknown()).min(1).max(L.points),
});
export type MetricsBatchWire = z.infer<typeof MetricsBatchWireSchema>;

/** The strict form producers write (and what the HTTP batch endpoint documents). */
export const MetricsBatchSchema = z.object({ source: SourceSchema, points: z.array(MetricPointSchema).min(1).max(L.points) });
export type MetricsBatch = z.infer<typeof MetricsBatchSchema>;

/** The accepted timestamp window around `nowMs`: older than maxAgeMs (past the raw retention) or newer than maxFutureMs is refused. */
export interface PointWindow {
  nowMs: number;
  maxAgeMs: number;
  maxFutureMs: number;
}

export type PointVerdict = { ok: true; point: MetricPoint; tsMs: number } | { ok: false; reason: string };

const POINT_KEYS = new Set(['metric', 'value', 'unit', 'ts', 'labels']);
/** The exact pattern `z.iso.datetime({ offset: true })` checks (taken from the schema, so the two cannot drift). */
const TS_PATTERN: RegExp = (MetricPointSchema.shape.ts as unknown as { _zod: { pattern: RegExp } })._zod.pattern;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The common case without zod's machinery (about a tenth of its cost per point): a point that passes
 * every check here also passes `MetricPointSchema`, and the result is what zod would return (defaults
 * filled in, a fresh labels object). Anything else — every invalid point and any unusual valid one —
 * returns null and goes through zod, which alone words the reasons.
 */
function fastPoint(raw: unknown): MetricPoint | null {
  if (!isPlainObject(raw)) return null;
  let keys = 0;
  for (const k in raw) {
    if (!POINT_KEYS.has(k)) return null;
    keys++;
  }
  if (keys !== Object.keys(raw).length) return null;
  const { metric, value, unit, ts, labels } = raw;
  if (typeof metric !== 'string' || metric.length < 1 || metric.length > L.metricChars || !NAME.test(metric)) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (unit !== undefined && (typeof unit !== 'string' || unit.length > L.unitChars)) return null;
  if (typeof ts !== 'string' || !TS_PATTERN.test(ts)) return null;
  const out: Record<string, string> = {};
  if (labels !== undefined) {
    if (!isPlainObject(labels)) return null;
    let n = 0;
    for (const k in labels) {
      const v = labels[k];
      if (++n > L.labels || k === '__proto__' || k.length > L.labelKeyChars || !NAME.test(k) || typeof v !== 'string' || v.length > L.labelValueChars) return null;
      out[k] = v;
    }
    if (n !== Object.keys(labels).length) return null;
  }
  return { metric, value, unit: unit === undefined ? '' : (unit as string), ts, labels: out };
}

/**
 * Validates one point of a batch: the contract (types, required fields, names, finite value) and the
 * timestamp window. The reason names the field, e.g. `points[3].value: Invalid input: expected number, received string`.
 */
export function validateMetricPoint(raw: unknown, index: number, window: PointWindow): PointVerdict {
  const point = fastPoint(raw);
  return point ? inWindow(point, index, window) : validateMetricPointWithSchema(raw, index, window);
}

/** The zod-only path (the reference the fast path is tested against). */
export function validateMetricPointWithSchema(raw: unknown, index: number, window: PointWindow): PointVerdict {
  const parsed = MetricPointSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `points[${index}]${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
    return { ok: false, reason: issues.join('; ') };
  }
  return inWindow(parsed.data, index, window);
}

/** The timestamp window, for a point that passed the contract. */
function inWindow(point: MetricPoint, index: number, window: PointWindow): PointVerdict {
  const tsMs = Date.parse(point.ts);
  if (tsMs > window.nowMs + window.maxFutureMs) {
    return { ok: false, reason: `points[${index}].ts: ${point.ts} is more than ${window.maxFutureMs} ms in the future` };
  }
  if (tsMs < window.nowMs - window.maxAgeMs) {
    return { ok: false, reason: `points[${index}].ts: ${point.ts} is older than the raw retention (${window.maxAgeMs} ms)` };
  }
  return { ok: true, point, tsMs };
}

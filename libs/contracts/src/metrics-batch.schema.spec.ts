import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEnvelope, makeEnvelope } from './envelope';
import { GENERATED_JSON_SCHEMAS } from './json-schemas';
import { MetricsBatchSchema, validateMetricPoint, type PointWindow } from './metrics-batch.schema';
import { TOPICS } from './topics';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const W: PointWindow = { nowMs: NOW, maxAgeMs: 7 * 86_400_000, maxFutureMs: 300_000 };
const point = (over: Record<string, unknown> = {}) => ({ metric: 'cpu.busy', value: 1.5, unit: 'percent', ts: '2026-11-30T11:59:00Z', labels: { host: 'a' }, ...over });

describe('metrics.batch.v1', () => {
  it('is in the topic list (kairos topics create creates it)', () => {
    expect(TOPICS).toContain('metrics.batch.v1');
  });

  it('the generated JSON Schema files are current (npm run gen:schemas)', () => {
    for (const [file, text] of Object.entries(GENERATED_JSON_SCHEMAS())) {
      expect(readFileSync(join(__dirname, '..', 'schemas', file), 'utf8')).toBe(text);
    }
  });

  it('the bus accepts a batch whose points are bad; a batch without source or points is refused whole', () => {
    const ok = makeEnvelope('metrics.batch.v1', 's', { source: 's', points: [point(), { value: 'x' }] });
    expect(decodeEnvelope('metrics.batch.v1', Buffer.from(JSON.stringify(ok))).payload.points).toHaveLength(2);
    const bad = { ...ok, payload: { points: 'none' } };
    expect(() => decodeEnvelope('metrics.batch.v1', Buffer.from(JSON.stringify(bad)))).toThrow(/payload\.source.*payload\.points/s);
    const empty = { ...ok, payload: { source: 's', points: [] } };
    expect(() => decodeEnvelope('metrics.batch.v1', Buffer.from(JSON.stringify(empty)))).toThrow(/payload\.points/);
  });

  it('accepts a good point, with defaults for unit and labels', () => {
    const v = validateMetricPoint({ metric: 'm', value: 0, ts: '2026-11-30T12:00:00+01:00' }, 0, W);
    expect(v).toEqual({ ok: true, point: { metric: 'm', value: 0, unit: '', ts: '2026-11-30T12:00:00+01:00', labels: {} }, tsMs: NOW - 3_600_000 });
  });

  it.each([
    ['wrong type', point({ value: '3' }), /^points\[4\]\.value: .*expected number/],
    ['NaN as a string', point({ value: 'NaN' }), /^points\[4\]\.value:/],
    ['null value', point({ value: null }), /^points\[4\]\.value:/],
    ['missing field', { metric: 'm', ts: '2026-11-30T11:59:00Z' }, /^points\[4\]\.value: .*expected number/],
    ['missing timestamp', { metric: 'm', value: 1 }, /^points\[4\]\.ts:/],
    ['bad metric name', point({ metric: '1 bad' }), /^points\[4\]\.metric:/],
    ['unknown field', point({ extra: 1 }), /^points\[4\]: .*extra/],
    ['bad label value', point({ labels: { a: 1 } }), /^points\[4\]\.labels\.a:/],
    ['too many labels', point({ labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'v'])) }), /^points\[4\]\.labels: at most 16 labels/],
    ['not an object', 42, /^points\[4\]: /],
    ['far future', point({ ts: '2026-11-30T12:05:01Z' }), /^points\[4\]\.ts: .* in the future/],
    ['past the retention', point({ ts: '2026-11-23T11:59:59Z' }), /^points\[4\]\.ts: .*older than the raw retention/],
    ['not a date', point({ ts: 'yesterday' }), /^points\[4\]\.ts:/],
  ])('refuses a point with %s, naming the field', (_name, raw, reason) => {
    const v = validateMetricPoint(raw, 4, W);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(reason);
  });

  it('JSON cannot carry NaN or Infinity; a number that is not finite is refused too', () => {
    expect(validateMetricPoint(point({ value: Number.NaN }), 0, W).ok).toBe(false);
    expect(validateMetricPoint(point({ value: Number.POSITIVE_INFINITY }), 0, W).ok).toBe(false);
  });

  it('the strict batch schema is what the JSON Schema describes', () => {
    expect(MetricsBatchSchema.safeParse({ source: 's', points: [point()] }).success).toBe(true);
    expect(MetricsBatchSchema.safeParse({ source: 's', points: [point({ value: 'x' })] }).success).toBe(false);
  });
});

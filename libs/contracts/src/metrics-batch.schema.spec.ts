import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEnvelope, makeEnvelope } from './envelope';
import { GENERATED_JSON_SCHEMAS } from './json-schemas';
import { MetricsBatchSchema, validateMetricPoint, validateMetricPointWithSchema, type PointWindow } from './metrics-batch.schema';
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

  it('gives the same verdict, point and reason with and without the fast path, on valid, unusual and invalid points', () => {
    const labels17 = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'v']));
    const labels16 = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${i}`, 'v']));
    const cases: unknown[] = [
      point(),
      { metric: 'm', value: 0, ts: '2026-11-30T12:00:00+01:00' },
      point({ unit: '' }),
      point({ labels: {} }),
      point({ labels: labels16 }),
      point({ labels: labels17 }),
      point({ ts: '2026-11-30T11:59:00.123456789Z' }),
      point({ ts: '2026-11-30T11:59Z' }),
      point({ ts: '2026-11-30 11:59:00Z' }),
      point({ ts: '2026-11-30T11:59:00' }),
      point({ ts: '2026-02-30T11:59:00Z' }),
      point({ ts: '2028-02-29T11:59:00Z' }),
      point({ ts: '2026-11-30T24:00:00Z' }),
      point({ ts: 1764503940000 }),
      point({ value: -0 }),
      point({ value: 1e308 }),
      point({ value: Number.NaN }),
      point({ value: Number.NEGATIVE_INFINITY }),
      point({ value: '1' }),
      point({ value: null }),
      point({ value: true }),
      point({ metric: '' }),
      point({ metric: 'a'.repeat(200) }),
      point({ metric: 'a'.repeat(201) }),
      point({ metric: '_x.y:z-1' }),
      point({ metric: '9x' }),
      point({ metric: 'a b' }),
      point({ unit: 'u'.repeat(32) }),
      point({ unit: 'u'.repeat(33) }),
      point({ unit: 5 }),
      point({ unit: null }),
      point({ labels: { a: 'v'.repeat(256) } }),
      point({ labels: { a: 'v'.repeat(257) } }),
      point({ labels: { ['k'.repeat(64)]: 'v' } }),
      point({ labels: { ['k'.repeat(65)]: 'v' } }),
      point({ labels: { '': 'v' } }),
      point({ labels: { 'a b': 'v' } }),
      point({ labels: { a: 1 } }),
      point({ labels: { a: null } }),
      point({ labels: ['a'] }),
      point({ labels: null }),
      point({ labels: 'host=a' }),
      JSON.parse('{"metric":"m","value":1,"ts":"2026-11-30T11:59:00Z","labels":{"__proto__":"x"}}'),
      JSON.parse('{"metric":"m","value":1,"ts":"2026-11-30T11:59:00Z","__proto__":{"a":1}}'),
      point({ extra: 1 }),
      point({ metric: undefined }),
      { metric: 'm', value: 1 },
      { value: 1, ts: '2026-11-30T11:59:00Z' },
      {},
      [],
      null,
      42,
      'point',
      Object.create({ metric: 'm', value: 1, ts: '2026-11-30T11:59:00Z' }),
      point({ ts: '2026-11-30T12:05:01Z' }),
      point({ ts: '2026-11-23T11:59:59Z' }),
    ];
    for (const raw of cases) expect([raw, validateMetricPoint(raw, 7, W)]).toEqual([raw, validateMetricPointWithSchema(raw, 7, W)]);
  });
});

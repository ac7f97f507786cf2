import { parseDuration, parseLabelMatcher, planRange } from './query-plan';
import { DAY_MS, partitionFor, partitionName, partitionsNeeded, partitionsToDrop, type PartitionedTable } from './partitions';
import { bucketOf, rollupOf } from './rollup-math';
import { seriesKey } from './series-key';
import { deadLetterId } from './ingest.service';

const raw: PartitionedTable = { table: 'metric_points', spanMs: DAY_MS, retentionMs: 8 * DAY_MS };
const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('partitions', () => {
  it('names a partition by its UTC start day and aligns it to its span', () => {
    expect(partitionFor(raw, NOW)).toEqual({ table: 'metric_points', name: 'metric_points_p20261130', fromMs: Date.parse('2026-11-30T00:00:00Z'), toMs: Date.parse('2026-12-01T00:00:00Z') });
    expect(partitionName('metric_rollups_1h', Date.parse('2026-01-05T00:00:00Z'))).toBe('metric_rollups_1h_p20260105');
  });

  it('needs every partition from now − retention to now + ahead, contiguous', () => {
    const parts = partitionsNeeded(raw, NOW, 2 * DAY_MS);
    expect(parts[0].name).toBe('metric_points_p20261122');
    expect(parts.at(-1)!.name).toBe('metric_points_p20261202');
    for (let i = 1; i < parts.length; i++) expect(parts[i].fromMs).toBe(parts[i - 1].toMs);
  });

  it('drops only partitions wholly older than retention + one span, and never a foreign name', () => {
    const existing = ['metric_points_p20261120', 'metric_points_p20261121', 'metric_points_p20261122', 'metric_points_p20261130', 'metric_points_keep', 'other_p20200101'];
    // now − 8 d − 1 d = 2026-11-21T12:00Z: the partition of 11-20 ends at 11-21T00:00Z (dropped), 11-21 ends 11-22 (kept).
    expect(partitionsToDrop(raw, existing, NOW)).toEqual(['metric_points_p20261120']);
  });
});

describe('roll-up maths', () => {
  it('p95 interpolates like percentile_cont(0.95)', () => {
    expect(rollupOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21])).toEqual({ count: 21, sum: 231, min: 1, max: 21, p95: 20 });
    expect(rollupOf([10, 0]).p95).toBeCloseTo(9.5);
    expect(rollupOf([5])).toEqual({ count: 1, sum: 5, min: 5, max: 5, p95: 5 });
    expect(() => rollupOf([])).toThrow(RangeError);
  });

  it('buckets align to the resolution', () => {
    expect(new Date(bucketOf(Date.parse('2026-11-30T12:07:59Z'), '5m')).toISOString()).toBe('2026-11-30T12:05:00.000Z');
    expect(new Date(bucketOf(Date.parse('2026-11-30T12:07:59Z'), '1h')).toISOString()).toBe('2026-11-30T12:00:00.000Z');
  });
});

describe('series key and dead-letter ids', () => {
  it('a series key does not depend on label order', () => {
    expect(seriesKey('s', 'm', { b: '2', a: '1' })).toBe(seriesKey('s', 'm', { a: '1', b: '2' }));
    expect(seriesKey('s', 'm', { a: '1' })).not.toBe(seriesKey('s2', 'm', { a: '1' }));
  });

  it('a replayed batch dead-letters a point under the same UUID', () => {
    const id = deadLetterId('6f1c2a8e-4b7d-4c1e-9a55-0c3d2b1e7f10', 3);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deadLetterId('6f1c2a8e-4b7d-4c1e-9a55-0c3d2b1e7f10', 3)).toBe(id);
    expect(deadLetterId('6f1c2a8e-4b7d-4c1e-9a55-0c3d2b1e7f10', 4)).not.toBe(id);
  });
});

describe('query planning', () => {
  const DAY = 86_400_000;
  const ret = { raw: 8 * DAY, '1m': 31 * DAY, '5m': 93 * DAY, '1h': 400 * DAY };
  const plan = (from: string, to: string, step: string, agg: 'avg' | 'p95' = 'avg') =>
    planRange({ fromMs: Date.parse(from), toMs: Date.parse(to), stepMs: parseDuration(step)!, agg }, NOW, ret);

  it('parses durations and label matchers, naming what is wrong', () => {
    expect([parseDuration('10s'), parseDuration('1m'), parseDuration('1h'), parseDuration('250ms')]).toEqual([10_000, 60_000, 3_600_000, 250]);
    expect([parseDuration('0s'), parseDuration('1 m'), parseDuration('m')]).toEqual([null, null, null]);
    expect(parseLabelMatcher('host=a,env=prod=x')).toEqual({ host: 'a', env: 'prod=x' });
    expect(parseLabelMatcher('host')).toMatch(/^labels: "host" is not name=value/);
    expect(parseLabelMatcher('a=1,a=2')).toBe('labels: a given twice');
  });

  it.each([
    ['a 24 h range at 1 min step reads the 1 min roll-ups', '2026-11-29T12:00:00Z', '1m', 'avg', '1m'],
    ['a 10 min step reads the 5 min roll-ups', '2026-11-29T12:00:00Z', '10m', 'avg', '5m'],
    ['a 2 h step reads the 1 h roll-ups', '2026-11-29T12:00:00Z', '2h', 'avg', '1h'],
    ['a 10 s step reads raw points', '2026-11-30T11:00:00Z', '10s', 'avg', 'raw'],
    ['90 s is not a multiple of 1 min: raw', '2026-11-30T11:00:00Z', '90s', 'avg', 'raw'],
    ['p95 at 10 min cannot merge 5 min p95s: raw', '2026-11-29T12:00:00Z', '10m', 'p95', 'raw'],
    ['p95 at 5 min reads the 5 min roll-ups', '2026-11-29T12:00:00Z', '5m', 'p95', '5m'],
    ['40 days back at 10 min: the 5 min roll-ups', '2026-10-21T12:00:00Z', '10m', 'avg', '5m'],
    ['100 days back at 1 h: past the 5 min retention, the 1 h roll-ups', '2026-08-22T12:00:00Z', '1h', 'avg', '1h'],
  ])('%s', (_n, from, step, agg, want) => {
    const p = plan(from, '2026-11-30T12:00:00Z', step, agg as 'avg' | 'p95');
    expect(typeof p === 'string' ? p : p.resolution).toBe(want);
  });

  it('aligns from down to the step, and refuses ranges it cannot serve', () => {
    const p = plan('2026-11-30T11:00:30Z', '2026-11-30T12:00:00Z', '1m');
    expect(typeof p !== 'string' && new Date(p.fromMs).toISOString()).toBe('2026-11-30T11:00:00.000Z');
    expect(plan('2026-11-30T12:00:00Z', '2026-11-30T11:00:00Z', '1m')).toBe('to: must be after from');
    expect(plan('2026-11-01T00:00:00Z', '2026-11-30T12:00:00Z', '10s')).toMatch(/^step: .* at most 11000/);
    expect(plan('2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', '1m')).toMatch(/^from: no resolution/);
    expect(plan('2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', '10m', 'p95')).toMatch(/^from: older than the raw retention/);
  });
});

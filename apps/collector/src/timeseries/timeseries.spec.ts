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

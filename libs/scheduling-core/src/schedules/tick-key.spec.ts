import { schedulePartition, shardTickKey, stableHash32, tickJitterMs, tickKey } from './tick-key';

describe('tick identities', () => {
  it('keys are the schedule id plus the ISO instant (plus the shard)', () => {
    expect(tickKey('sch-1', Date.parse('2025-03-30T01:00:00Z'))).toBe('sch-1@2025-03-30T01:00:00.000Z');
    expect(shardTickKey('sch-1', Date.parse('2025-03-30T01:00:00Z'), 3)).toBe('sch-1@2025-03-30T01:00:00.000Z#3');
  });

  it('the hash is FNV-1a + murmur3 fmix32 (reference values) and the jitter stays in [0, max]', () => {
    // FNV-1a("") = 0x811c9dc5; fmix32 of it computed by hand with the murmur3 constants.
    expect(stableHash32('')).toBe(fmixRef(0x811c9dc5));
    expect(stableHash32('a')).toBe(fmixRef(0xe40c292c)); // FNV-1a("a") = 0xe40c292c
    expect(tickJitterMs('s', 0, 0)).toBe(0);
    const js = Array.from({ length: 2_000 }, (_, i) => tickJitterMs('sch-1', i * 5_000, 1_000));
    expect(Math.min(...js)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...js)).toBeLessThanOrEqual(1_000);
    // Spread: the mean of a uniform on {0..1000} is 500; 2,000 draws keep it within ±40.
    expect(Math.abs(js.reduce((a, b) => a + b, 0) / js.length - 500)).toBeLessThan(40);
  });

  it('partitions spread ids evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8_000; i++) counts[schedulePartition(`sch-${i}`, 8)]!++;
    for (const c of counts) expect(Math.abs(c - 1_000)).toBeLessThan(120);
  });
});

function fmixRef(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Number((BigInt(h) * 0x85ebca6bn) & 0xffffffffn);
  h = (h ^ (h >>> 13)) >>> 0;
  h = Number((BigInt(h) * 0xc2b2ae35n) & 0xffffffffn);
  return (h ^ (h >>> 16)) >>> 0;
}

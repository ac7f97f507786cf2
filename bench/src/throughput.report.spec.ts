import { formatReport, graphilePool, parseSystems, positiveInt, quantile, ratiosToPeers, SYSTEMS, urlOption, verdicts, type ThroughputResult } from './throughput.report';

const row = (system: ThroughputResult['system'], tasksPerSecond: number, enqueue: 'single' | 'bulk' = 'single'): ThroughputResult => ({
  system,
  enqueue,
  setup: '',
  tasks: 1000,
  submitSeconds: 1,
  totalSeconds: 1000 / tasksPerSecond,
  tasksPerSecond,
  p50LatencyMs: 10,
  p99LatencyMs: 20,
  latencySource: '',
});

describe('throughput argument validation', () => {
  it('accepts positive integers and names the flag otherwise', () => {
    expect(positiveInt('--tasks', '1000')).toBe(1000);
    for (const bad of ['0', '-3', '1.5', 'abc', '', '1e3', '0x10']) expect(() => positiveInt('--tasks', bad)).toThrow(/^--tasks: expected a positive integer/);
  });

  it('parses --systems in the order given and rejects unknown, empty or repeated names', () => {
    expect(parseSystems('bullmq,kairos-standalone')).toEqual(['bullmq', 'kairos-standalone']);
    expect(parseSystems(SYSTEMS.join(','))).toEqual([...SYSTEMS]);
    expect(() => parseSystems('kairos,bullmq')).toThrow(/^--systems: unknown system "kairos"/);
    expect(() => parseSystems('bullmq,,pg-boss')).toThrow(/^--systems: empty name/);
    expect(() => parseSystems('bullmq,bullmq')).toThrow(/^--systems: "bullmq" given twice/);
  });

  it('sizes the graphile-worker pool by its advice, capped under PostgreSQL max_connections', () => {
    expect([1, 8, 32, 256].map(graphilePool)).toEqual([10, 10, 34, 50]);
  });

  it('checks URL flags by protocol', () => {
    expect(urlOption('--redis-url', ['redis:'])('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(() => urlOption('--redis-url', ['redis:'])('127.0.0.1:6379')).toThrow(/^--redis-url: /);
    expect(() => urlOption('--database-url', ['postgres:', 'postgresql:'])('mysql://x/y')).toThrow(/^--database-url: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});

describe('throughput report', () => {
  it('quantile is nearest-rank-below over sorted values, 0 for none', () => {
    expect(quantile([], 0.5)).toBe(0);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
  });

  it('computes ratios against the peers single-enqueue rows only', () => {
    const rs = [row('kairos-distributed', 60), row('bullmq', 30), row('bullmq', 300, 'bulk'), row('pg-boss', 40)];
    expect(ratiosToPeers(rs)).toEqual([{ bullmq: 2, 'pg-boss': 1.5 }, { bullmq: 1, 'pg-boss': 0.75 }, { bullmq: 10, 'pg-boss': 7.5 }, { bullmq: 1.33, 'pg-boss': 1 }]);
  });

  it('checks the bar: ≥ 2× BullMQ, ≥ 2× pg-boss, ahead of graphile-worker', () => {
    const peers = [row('bullmq', 100), row('pg-boss', 50), row('graphile-worker', 150)];
    const [meets, misses] = verdicts([row('kairos-standalone', 200), row('kairos-distributed', 150), ...peers]);
    expect(meets).toEqual({ system: 'kairos-standalone', atLeast2xBullmq: true, atLeast2xPgBoss: true, aheadOfGraphileWorker: true, meetsBar: true });
    expect(misses).toEqual({ system: 'kairos-distributed', atLeast2xBullmq: false, atLeast2xPgBoss: true, aheadOfGraphileWorker: false, meetsBar: false });
  });

  it('leaves the verdict open when a peer was not measured, unless another part already fails', () => {
    expect(verdicts([row('kairos-standalone', 300), row('bullmq', 100)])[0]).toMatchObject({ atLeast2xPgBoss: null, meetsBar: null });
    expect(verdicts([row('kairos-standalone', 100), row('bullmq', 100)])[0]).toMatchObject({ atLeast2xBullmq: false, meetsBar: false });
  });

  it('formats a table with one ratio column per measured peer and a verdict line per Kairos row', () => {
    const out = formatReport([row('kairos-standalone', 80), row('bullmq', 40), row('pg-boss', 20, 'bulk')]).split('\n');
    expect(out[0]).toBe('| system | enqueue | tasks | seconds | tasks/s | p50 ms | p99 ms | × bullmq |');
    expect(out[2]).toBe('| kairos-standalone | one per call | 1000 | 12.50 | 80.0 | 10 | 20 | 2.00 |');
    expect(out[4]).toContain('bulk (reference only)');
    expect(out[5]).toMatch(/^kairos-standalone: ≥ 2× BullMQ: yes; ≥ 2× pg-boss: not measured;/);
  });
});

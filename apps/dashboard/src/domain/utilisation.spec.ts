import type { ExecutorStatus } from '../api/api-types';
import { appendSample, seriesFromRollups, seriesFromSamples } from './utilisation';

const status = (nodes: Array<[string, number, number, number]>): ExecutorStatus => ({
  defaultPolicy: { policy: 'priority', placement: 'least-loaded' },
  decisionLatency: { count: 0, window: 0, p50Ms: null, p99Ms: null, maxMs: null },
  running: 0,
  nodes: nodes.map(([id, running, usedCpu, usedMem]) => ({ id, running, usedCpu, usedMem, cpuMillis: 2000, memMb: 1000, cordoned: false })),
});

describe('utilisation series', () => {
  it('samples the executor status into a bounded buffer', () => {
    let buf = appendSample([], status([['n0', 1, 500, 250]]), 0, 10_000);
    buf = appendSample(buf, status([['n0', 2, 1000, 500]]), 5_000, 10_000);
    buf = appendSample(buf, status([['n0', 3, 2000, 1000]]), 12_000, 10_000);
    expect(buf.map((s) => s.atMs)).toEqual([5_000, 12_000]);
    expect(buf[1].nodes).toEqual([{ id: 'n0', running: 3, cpuFrac: 1, memFrac: 1 }]);
    // Two answers within a second count once (the newer wins).
    buf = appendSample(buf, status([['n0', 4, 0, 0]]), 12_500, 10_000);
    expect(buf.map((s) => s.atMs)).toEqual([5_000, 12_500]);
  });

  it('aligns live samples per node, null where a node was absent', () => {
    let buf = appendSample([], status([['n1', 1, 1000, 0]]), 1_000, 60_000);
    buf = appendSample(buf, status([['n0', 2, 0, 0], ['n1', 0, 0, 0]]), 3_000, 60_000);
    expect(seriesFromSamples(buf, 'running')).toEqual({ nodes: ['n0', 'n1'], data: [[1, 3], [null, 2], [1, 0]] });
    expect(seriesFromSamples(buf, 'cpuFrac').data[2]).toEqual([0.5, 0]);
  });

  it('aligns minute roll-ups of several nodes on the union of minutes', () => {
    const r = (minute: string, cpuAvg: number) => ({ minute, samples: 1, cpuAvg, cpuMax: cpuAvg, memAvg: 0, memMax: 0 });
    const s = seriesFromRollups(
      {
        b: [r('2026-11-29T10:01:00.000Z', 20)],
        a: [r('2026-11-29T10:00:00.000Z', 5), r('2026-11-29T10:02:00.000Z', 7)],
      },
      'cpuAvg',
    );
    const t0 = Date.parse('2026-11-29T10:00:00.000Z') / 1000;
    expect(s).toEqual({ nodes: ['a', 'b'], data: [[t0, t0 + 60, t0 + 120], [5, null, 7], [null, 20, null]] });
  });
});

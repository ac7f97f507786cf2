import { parseWfFormat } from '@kairos/scheduling-core';
import {
  DagBenchError,
  DagBenchOptions,
  DagBenchRow,
  HEADLINE_CLUSTERS,
  benchInstance,
  clustersFromOptions,
  gapClosed,
  parseBandwidth,
  parseSpeeds,
  renderSvg,
  runDagBench,
  summarise,
} from './dag.bench';

const opts = (o: Partial<DagBenchOptions>): DagBenchOptions => ({ data: [], ...o });

describe('bench dag flags', () => {
  it('without cluster flags runs the headline set: 1x16, 2x4, 4x4 at 100 MB/s and 4x4 speeds 2,2,1,1 at 10 MB/s', () => {
    const clusters = clustersFromOptions(opts({}));
    expect(clusters.map((c) => c.name)).toEqual(['1x16 @ 100 MB/s', '2x4 @ 100 MB/s', '4x4 @ 100 MB/s', 'het 4x4 speeds 2,2,1,1 @ 10 MB/s']);
    expect(clusters.map((c) => c.bandwidth)).toEqual([100e6, 100e6, 100e6, 10e6]);
    expect(HEADLINE_CLUSTERS[3].machines?.map((m) => [m.cores, m.speed])).toEqual([[4, 2], [4, 2], [4, 1], [4, 1]]);
  });

  it('a custom cluster: machines x cores, speeds, bandwidth', () => {
    const [c] = clustersFromOptions(opts({ machines: '4', cores: '4', speeds: '2,2,1,1', bandwidth: '10MB/s' }));
    expect(c.name).toBe('4x4 speeds 2,2,1,1 @ 10 MB/s');
    expect(c.bandwidth).toBe(10e6);
    expect(c.machines?.map((m) => m.speed)).toEqual([2, 2, 1, 1]);
    expect(clustersFromOptions(opts({ cores: '8', speeds: 'half-fast', machines: '6' }))[0].machines?.map((m) => m.speed)).toEqual([2, 2, 2, 1, 1, 1]);
    // The machine count follows the speed list when --machines is absent; without --bandwidth transfers are free.
    const [d] = clustersFromOptions(opts({ cores: '2', speeds: '1,3' }));
    expect(d.machines).toHaveLength(2);
    expect(d.bandwidth).toBeUndefined();
    expect(clustersFromOptions(opts({ recorded: true, bandwidth: '1GB/s' }))[0]).toEqual({ name: 'recorded machines, 1 GB/s', bandwidth: 1e9 });
  });

  it.each<[string, number]>([
    ['100MB/s', 100e6],
    ['10 MB/s', 10e6],
    ['1.5GB/s', 1.5e9],
    ['512KiB/s', 512 * 1024],
    ['250000B/s', 250000],
    ['100', 100e6],
  ])('bandwidth %s = %d bytes/s', (text, bytes) => {
    expect(parseBandwidth(text)).toBe(bytes);
  });

  it.each<[string, Partial<DagBenchOptions>, string]>([
    ['a bandwidth unit it does not know', { cores: '4', bandwidth: '100Mb/h' }, '--bandwidth must be a positive rate'],
    ['a zero bandwidth', { cores: '4', bandwidth: '0MB/s' }, '--bandwidth must be a positive rate'],
    ['a bandwidth without a cluster', { bandwidth: '10MB/s' }, '--bandwidth needs --cores'],
    ['zero cores', { cores: '0' }, '--cores must be an integer >= 1, got "0"'],
    ['fractional machines', { machines: '1.5', cores: '4' }, '--machines must be an integer >= 1, got "1.5"'],
    ['machines without cores', { machines: '2' }, '--machines and --speeds need --cores'],
    ['a negative speed', { cores: '4', speeds: '2,-1' }, '--speeds must be "half-fast" or a comma-separated list'],
    ['an empty speed', { cores: '4', speeds: '2,,1' }, '--speeds must be "half-fast" or a comma-separated list'],
    ['speeds that do not match the machines', { machines: '3', cores: '4', speeds: '2,1' }, '--speeds lists 2 speeds but --machines is 3'],
    ['half-fast on one machine', { cores: '4', speeds: 'half-fast' }, '--speeds half-fast needs --machines >= 2'],
    ['recorded with a custom cluster', { recorded: true, cores: '4' }, '--recorded uses each workflow\'s own machines'],
  ])('rejects %s, naming the flag', (_, o, message) => {
    expect(() => clustersFromOptions(opts(o))).toThrow(DagBenchError);
    expect(() => clustersFromOptions(opts(o))).toThrow(message);
  });

  it.each<[Partial<DagBenchOptions>, string]>([
    [{ width: '0' }, '--width must be an integer >= 1, got "0"'],
    [{ budget: '-5' }, '--budget must be an integer >= 0, got "-5"'],
    [{ budget: 'lots' }, '--budget must be an integer >= 0, got "lots"'],
  ])('runDagBench rejects %j before reading any file', (o, message) => {
    expect(() => runDagBench(opts({ ...o, data: ['/nonexistent'] }), () => undefined, () => undefined)).toThrow(message);
  });

  it('parseSpeeds rejects a non-number', () => {
    expect(() => parseSpeeds('fast,slow', undefined)).toThrow('--speeds must be "half-fast"');
  });
});

describe('gap closed', () => {
  it.each<[number, number, number, number | null]>([
    [110, 104, 100, 0.6],
    [110, 110, 100, 0],
    [110, 100, 100, 1],
    [100, 100, 100, null], // HEFT already at the bound: nothing to close
  ])('HEFT %d, ours %d, bound %d → %s', (heft, ours, bound, share) => {
    expect(gapClosed(heft, ours, bound)).toBe(share);
  });
});

const row = (file: string, heft: number, ours: number, bound: number, failure: string | null = null): DagBenchRow => ({
  cluster: 'c', file, tasks: 3, edges: 2, redundantEdges: 0, totalCores: 2, capacity: 2, criticalPath: bound, workBound: bound, lowerBound: bound,
  strongLowerBound: bound, boundParts: { ancestor: bound, energetic: bound, packing: bound }, heftMakespan: heft, peftMakespan: heft,
  rolloutMakespan: ours, gapClosed: gapClosed(heft, ours, bound), gapClosedBasicBound: gapClosed(heft, ours, bound), rolloutToHeft: ours / heft,
  rolloutPlacements: 0, rolloutDeviations: 0, budgetExhausted: false, recordedMakespan: null, fileEdgesNotInParents: 0, parentsWithoutFiles: 0,
  boundMillis: 0, heftMillis: 0, rolloutMillis: 0, rolloutCpuMillis: 0, failure,
});

describe('summarise', () => {
  it('averages the share over instances with a gap, pools relative gaps, counts failures apart', () => {
    const s = summarise('c', [row('a', 110, 104, 100), row('b', 120, 120, 100), row('c', 50, 50, 50), row('d', 1, 1, 1, 'broken')]);
    expect(s).toMatchObject({ instances: 4, failures: 1, withGap: 2, strictlyBetter: 1, worseThanHeft: 0, worstRolloutToHeft: 1 });
    expect(s.meanGapClosed).toBeCloseTo(0.3, 12);
    // relative gaps 0.10 + 0.20 + 0, closed 0.06 → 0.2
    expect(s.pooledGapClosed).toBeCloseTo(0.2, 12);
  });

  it('reports a worse-than-HEFT instance and its ratio', () => {
    const s = summarise('c', [row('a', 100, 105, 90)]);
    expect(s.worseThanHeft).toBe(1);
    expect(s.worstRolloutToHeft).toBeCloseTo(1.05, 12);
    expect(s.meanGapClosed).toBeCloseTo(-0.5, 12);
  });
});

describe('benchInstance', () => {
  // The case that used to make `bench dag` exit 1: an instant task at the edge of a 5 s one on the same core.
  const wf = parseWfFormat(
    {
      name: 'zero',
      workflow: {
        machines: [{ nodeName: 'n1', cpu: { count: 1 } }],
        tasks: [
          { id: 'long', parents: [], runtimeInSeconds: 5, files: [] },
          { id: 'marker', parents: [], runtimeInSeconds: 0, files: [] },
        ],
      },
    },
    'zero.json',
  );

  it('a zero-runtime task beside another is not a failure, on every headline cluster and the recorded one', () => {
    for (const cluster of [...HEADLINE_CLUSTERS, { name: 'recorded' }]) {
      const r = benchInstance(cluster, { path: '/x/zero.json', wf, redundantEdges: 0 }, { width: 5, maxPlacements: 1000 });
      expect(r.failure).toBeNull();
      expect(r.rolloutMakespan).toBeLessThanOrEqual(r.heftMakespan);
    }
  });

  it('an unreadable workflow is a failed row naming the reason', () => {
    const r = benchInstance(HEADLINE_CLUSTERS[0], { path: '/x/bad.json', error: 'bad.json: workflow: is missing', redundantEdges: 0 }, { width: 5, maxPlacements: 10 });
    expect(r.failure).toBe('bad.json: workflow: is missing');
    expect(summarise('c', [r]).failures).toBe(1);
  });
});

describe('renderSvg', () => {
  it('draws one panel per cluster, two bars per instance, escapes names and marks failures', () => {
    const svg = renderSvg(
      [
        { title: '2x4 & more', rows: [row('a<b>.json', 120, 105, 100), row('c.json', 100, 100, 100)] },
        { title: 'het', rows: [row('d.json', 1, 1, 1, 'broken')] },
      ],
      'title & more',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
    expect(svg).toContain('a&lt;b>');
    expect(svg).toContain('title &amp; more');
    expect(svg).toContain('2x4 &amp; more');
    expect(svg).toContain('<title>rollout 1.0500</title>');
    expect(svg).toContain('✗');
  });
});

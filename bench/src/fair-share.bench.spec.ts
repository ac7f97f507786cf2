import type { ShareWindow } from '@kairos/scheduling-core';
import { parseWeights, renderSvg, summarise, windowRows, type RunResult } from './fair-share.bench';

const fig = (dominant: number) => ({ dominant, cpu: dominant, mem: dominant });
const win = (start: number, contended: number, a: number, b: number): ShareWindow => ({
  start,
  end: start + 100,
  seconds: { all: 100, contended, backlogged: contended },
  shares: { all: { t0: fig(a), t1: fig(b) }, contended: { t0: fig(a), t1: fig(b) }, backlogged: { t0: fig(a), t1: fig(b) } },
});

describe('bench fair-share', () => {
  it('parses weights and refuses nonsense naming the flag', () => {
    expect(parseWeights('2,1')).toEqual([2, 1]);
    expect(() => parseWeights('2')).toThrow('--weights: expected two or more positive numbers');
    expect(() => parseWeights('2,-1')).toThrow('--weights');
  });

  it('counts a window only when its condition held long enough, and checks each against the band', () => {
    const windows = [win(0, 100, 0.6, 0.3), win(100, 40, 0.9, 0.1), win(200, 80, 0.5, 0.3)];
    const rows = windowRows(windows, ['t0', 't1'], 0.5);
    expect(rows.map((r) => r.ratio.contended)).toEqual([2, null, 0.5 / 0.3]);
    const s = summarise(windows, rows, ['t0', 't1'], 'contended', 2, 0.05);
    expect(s).toMatchObject({ windowsCounted: 2, windowsWithin: 1, windowMin: 0.5 / 0.3, windowMax: 2 });
    // Time-weighted over all contended seconds, counted or not: (0.6·100 + 0.9·40 + 0.5·80) / (0.3·100 + 0.1·40 + 0.3·80).
    expect(s.ratio.dominant).toBeCloseTo((60 + 36 + 40) / (30 + 4 + 24), 12);
    expect(s.hours).toBeCloseTo(220 / 3600, 12);
  });

  it('draws both panels', () => {
    const rows = windowRows([win(0, 100, 0.6, 0.3)], ['t0', 't1'], 0.5);
    const run = (fairShare: boolean): RunResult => ({ policy: fairShare ? 'drf(fifo)' : 'fifo', seed: 1, fairShare, byCondition: { contended: summarise([], rows, ['t0', 't1'], 'contended', 2, 0.05), backlogged: summarise([], rows, ['t0', 't1'], 'backlogged', 2, 0.05) }, windows: rows, meanWaitPerTaskByTenant: {}, wallSeconds: 0 });
    const svg = renderSvg([run(false), run(true)], 0, 2, 0.05, 'x <y>');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('x &lt;y>');
    expect(svg.match(/<polyline/g)?.length).toBe(6);
  });
});

import { DagBenchInstance, renderSvg } from './dag.bench';

const row = (file: string, heft: number, ours: number): DagBenchInstance => ({
  file,
  tasks: 3,
  edges: 2,
  redundantEdges: 0,
  cluster: 'm0:2',
  totalCores: 2,
  criticalPath: 10,
  workBound: 8,
  lowerBound: 10,
  strongLowerBound: 10,
  heftMakespan: heft * 10,
  makespan: ours * 10,
  algorithm: 'heft',
  ratioToLowerBound: ours,
  heftRatioToLowerBound: heft,
  recordedMakespan: null,
  candidates: [],
  evaluations: 1,
  fileEdgesNotInParents: 0,
  parentsWithoutFiles: 0,
  millis: 1,
});

describe('renderSvg', () => {
  it('draws two bars per instance, escapes names, and marks the 1.1 target', () => {
    const svg = renderSvg([row('a<b>.json', 1.2, 1.05), row('c.json', 1, 1)], 'title & more');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
    expect(svg).toContain('a&lt;b>');
    expect(svg).toContain('title &amp; more');
    expect(svg).toContain('stroke="#c00"');
    expect(svg).toContain('<title>ours 1.0500</title>');
  });
});

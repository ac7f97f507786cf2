import { buildDagInput, layoutDag, nodeWidth, pathThrough } from './dag-graph';
import { STATUS_COLORS } from './status-colors';
import { makeWorkflow } from '../testing/factories';

const onBorder = (p: { x: number; y: number }, r: { x: number; y: number; width: number; height: number }, tol = 0.6): boolean => {
  const inside = p.x >= r.x - tol && p.x <= r.x + r.width + tol && p.y >= r.y - tol && p.y <= r.y + r.height + tol;
  const nearEdge = Math.min(Math.abs(p.x - r.x), Math.abs(p.x - r.x - r.width), Math.abs(p.y - r.y), Math.abs(p.y - r.y - r.height)) <= tol;
  return inside && nearEdge;
};

describe('workflow DAG', () => {
  const wf = makeWorkflow(
    { extract: [], transform: ['extract'], report: ['extract'], load: ['transform'], publish: ['load', 'report'] },
    {
      extract: { status: 'succeeded', taskId: 't-extract', taskStatus: 'succeeded', attempts: 2, exitCode: 0, startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:01.500Z' },
      transform: { status: 'running', taskId: 't-transform', taskStatus: 'queued' },
      report: { status: 'failed', taskId: 't-report', taskStatus: 'failed', attempts: 1, exitCode: 3 },
      load: { status: 'pending' },
      publish: { status: 'upstream_failed' },
    },
  );

  it('builds one node per task, in the status it shows now, and one edge per dependency', () => {
    const input = buildDagInput(wf, Date.parse('2026-11-29T10:00:05.000Z'));
    expect(input.nodes.map((n) => [n.id, n.status, n.taskId])).toEqual([
      ['extract', 'succeeded', 't-extract'],
      // The task row (queued) is finer than the run's "running".
      ['transform', 'queued', 't-transform'],
      ['report', 'failed', 't-report'],
      ['load', 'pending', null],
      ['publish', 'upstream_failed', null],
    ]);
    expect(input.nodes[0].detail).toBe('succeeded · 2 attempts · 1.5 s');
    expect(input.nodes[2].detail).toBe('failed · exit 3');
    expect(input.nodes[4].detail).toBe('upstream failed');
    expect(input.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['extract>report', 'extract>transform', 'load>publish', 'report>publish', 'transform>load']);
  });

  it('drops an edge whose end is not a task rather than inventing a node', () => {
    const input = buildDagInput({ tasks: wf.tasks.slice(0, 1), edges: [{ from: 'extract', to: 'ghost', origin: 'explicit', files: [] }] });
    expect(input.nodes).toHaveLength(1);
    expect(input.edges).toEqual([]);
  });

  it('sizes boxes to their text within bounds', () => {
    expect(nodeWidth('a', 'b')).toBe(96);
    expect(nodeWidth('x'.repeat(20), '')).toBe(Math.round(20 * 7.2 + 24));
    expect(nodeWidth('x'.repeat(200), '')).toBe(260);
  });

  it('lays out every node and edge left to right, without overlaps, edges from source to target', () => {
    const input = buildDagInput(wf);
    const layout = layoutDag(input);
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(input.nodes.map((n) => n.id).sort());
    expect(layout.edges).toHaveLength(input.edges.length);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const e of layout.edges) {
      const from = at.get(e.from)!;
      const to = at.get(e.to)!;
      // Ranks run left to right: every dependency points rightwards.
      expect(from.x + from.width).toBeLessThan(to.x);
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      const first = e.points[0];
      const last = e.points[e.points.length - 1];
      // dagre clips edges to the boxes: the route starts on the source's border, ends on the target's.
      expect(onBorder(first, from)).toBe(true);
      expect(onBorder(last, to)).toBe(true);
      expect(e.d.startsWith(`M${first.x},${first.y}`)).toBe(true);
    }
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(layout.width + 0.5);
      expect(a.y + a.height).toBeLessThanOrEqual(layout.height + 0.5);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
  });

  it('colours nodes by status and edges by their upstream outcome', () => {
    const layout = layoutDag(buildDagInput(wf));
    const node = (id: string) => layout.nodes.find((n) => n.id === id)!;
    expect(node('extract').fill).toBe(STATUS_COLORS.succeeded.fill);
    expect(node('transform').fill).toBe(STATUS_COLORS.queued.fill);
    expect(node('report').stroke).toBe(STATUS_COLORS.failed.stroke);
    expect(node('publish').fill).toBe(STATUS_COLORS.upstream_failed.fill);
    const edge = (from: string, to: string) => layout.edges.find((e) => e.from === from && e.to === to)!;
    expect(edge('extract', 'transform').stroke).toBe(STATUS_COLORS.succeeded.stroke);
    expect(edge('report', 'publish').stroke).toBe(STATUS_COLORS.failed.stroke);
    expect(edge('load', 'publish').stroke).toBe('#8c93a0');
  });

  it('draws straight and smoothed paths', () => {
    expect(pathThrough([])).toBe('');
    expect(pathThrough([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe('M0,0 L10,5');
    expect(pathThrough([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 20, y: 10 }])).toBe('M0,0 Q10,0 15,5 L20,10');
  });
});

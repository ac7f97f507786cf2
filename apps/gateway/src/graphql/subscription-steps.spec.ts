import { anomalyStep, modelHistoryStep, nodeStep, type AnomalyCursor, type NodeCursor } from './subscription-steps';

describe('subscription steps', () => {
  it('model history: sends each stage change once, in order, across polls', () => {
    const first = modelHistoryStep(['register v1'], 0);
    expect(first).toEqual({ items: ['register v1'], sent: 1 });
    const second = modelHistoryStep(['register v1', 'promote v1', 'register v2'], first.sent);
    expect(second).toEqual({ items: ['promote v1', 'register v2'], sent: 3 });
    expect(modelHistoryStep(['register v1', 'promote v1', 'register v2'], second.sent).items).toEqual([]);
  });

  it('anomalies: a peak at or over the threshold is sent once per peak instant, oldest first; lower and empty peaks are not', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const poll1 = [
      { nodeId: 'n2', metric: 'cpuPercent', max: 0.9, maxAt: at(5) },
      { nodeId: 'n1', metric: 'memMb', max: 0.7, maxAt: at(3) },
      { nodeId: 'n1', metric: 'cpuPercent', max: 0.2, maxAt: at(1) },
      { nodeId: 'n3', metric: 'cpuPercent', max: null, maxAt: null },
    ];
    let cursor: AnomalyCursor = new Map();
    const s1 = anomalyStep(poll1, 0.5, cursor);
    expect(s1.items.map((i) => `${i.nodeId}/${i.metric}`)).toEqual(['n1/memMb', 'n2/cpuPercent']);
    cursor = s1.cursor;
    // Same peaks again: nothing; a new, later peak of n1/memMb: sent; an older one never.
    expect(anomalyStep(poll1, 0.5, cursor).items).toEqual([]);
    const s2 = anomalyStep([{ nodeId: 'n1', metric: 'memMb', max: 0.8, maxAt: at(9) }, { nodeId: 'n2', metric: 'cpuPercent', max: 0.95, maxAt: at(4) }], 0.5, cursor);
    expect(s2.items).toEqual([{ nodeId: 'n1', metric: 'memMb', max: 0.8, maxAt: at(9) }]);
    expect(anomalyStep(poll1, 0, new Map()).items).toHaveLength(3);
  });

  it('nodes: every node first, then only those whose status, running count or capacity changed', () => {
    const n = (id: string, running: number, status = 'up', lastHeartbeatAt = 't0') => ({ id, status, running, cpuMillis: 1000, memMb: 512, lastHeartbeatAt });
    let cursor: NodeCursor = new Map();
    const s1 = nodeStep([n('b', 0), n('a', 0)], cursor);
    expect(s1.items.map((x) => x.id)).toEqual(['a', 'b']);
    cursor = s1.cursor;
    expect(nodeStep([n('a', 0, 'up', 't1'), n('b', 0, 'up', 't1')], cursor).items).toEqual([]);
    const s2 = nodeStep([n('a', 2), n('b', 0, 'cordoned'), n('c', 0)], cursor);
    expect(s2.items.map((x) => [x.id, x.status, x.running])).toEqual([['a', 'up', 2], ['b', 'cordoned', 0], ['c', 'up', 0]]);
  });
});

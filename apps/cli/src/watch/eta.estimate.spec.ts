import { estimateEta, type PredictedDuration } from './eta.estimate';
import type { RunNode, RunSnapshot } from './run-snapshot';

const T0 = 1_000_000;
const node = (key: string, state: RunNode['state'], over: Partial<RunNode> = {}): RunNode => ({ key, state, taskId: state === 'waiting' ? null : `t-${key}`, startedAtMs: null, dependsOn: [], ...over });

function snapshot(nodes: RunNode[], over: Partial<RunSnapshot> = {}): RunSnapshot {
  const count = (st: RunNode['state']) => nodes.filter((n) => n.state === st).length;
  return {
    kind: 'workflow',
    id: 'w',
    name: 'w',
    status: 'running',
    terminal: false,
    succeeded: false,
    total: nodes.length,
    done: count('finished'),
    failed: 0,
    skipped: 0,
    running: count('inFlight'),
    queued: 0,
    waiting: count('waiting'),
    nodes,
    ...over,
  };
}

const p = (p50Ms: number, p90Ms: number | null = null): PredictedDuration => ({ p50Ms, p90Ms });

describe('estimateEta', () => {
  it('a running task: its p50 minus the time it has run', () => {
    const s = snapshot([node('a', 'inFlight', { startedAtMs: T0 - 3_000 })]);
    expect(estimateEta(s, new Map([['t-a', p(10_000)]]), T0 - 5_000, T0)).toEqual({ ms: 7_000, source: 'predicted' });
  });

  it('past its p50 the p90 bounds it; past the p90 predictions say nothing and the observed rate is used', () => {
    const s = snapshot([node('done', 'finished'), node('a', 'inFlight', { startedAtMs: T0 - 12_000 })]);
    const preds = new Map([['t-a', p(10_000, 15_000)]]);
    expect(estimateEta(s, preds, T0 - 20_000, T0)).toEqual({ ms: 3_000, source: 'predicted' });
    // 20 s after the watch began one of two tasks finished: 20 s per task, 1 left
    expect(estimateEta(s, preds, T0 - 20_000, T0 + 4_000)).toEqual({ ms: 24_000, source: 'rate' });
  });

  it('waits for dependencies: the longest chain through the remaining tasks, waiting tasks at the mean p50', () => {
    // a (4 s left) → c → d and b (1 s left) → d; mean p50 of a, b = (6 + 2) / 2 = 4 s
    // a: 4; b: 1; c: 4 + 4 = 8; d: max(8, 1) + 4 = 12
    const s = snapshot([
      node('a', 'inFlight', { startedAtMs: T0 - 2_000 }),
      node('b', 'inFlight', { startedAtMs: T0 - 1_000 }),
      node('c', 'waiting', { dependsOn: ['a'] }),
      node('d', 'waiting', { dependsOn: ['c', 'b'] }),
    ]);
    expect(estimateEta(s, new Map([['t-a', p(6_000)], ['t-b', p(2_000)]]), T0, T0)).toEqual({ ms: 12_000, source: 'predicted' });
  });

  it('a queued task without a prediction yet is given the mean of those that have one', () => {
    const s = snapshot([node('a', 'inFlight', { startedAtMs: T0 }), node('b', 'inFlight')]);
    expect(estimateEta(s, new Map([['t-a', p(5_000)]]), T0, T0)).toEqual({ ms: 5_000, source: 'predicted' });
  });

  it('without predictions: the observed rate, and nothing before the first task finishes', () => {
    const s = snapshot([node('a', 'finished'), node('b', 'finished'), node('c', 'inFlight'), node('d', 'waiting'), node('e', 'waiting'), node('f', 'waiting')]);
    // 2 finished in 10 s → 5 s per task × 4 left
    expect(estimateEta(s, new Map(), T0 - 10_000, T0)).toEqual({ ms: 20_000, source: 'rate' });
    expect(estimateEta(snapshot([node('a', 'inFlight')]), new Map(), T0 - 10_000, T0)).toBeNull();
  });

  it('nothing for a finished run; a dependency cycle cannot hang it', () => {
    expect(estimateEta(snapshot([node('a', 'finished')], { terminal: true }), new Map(), T0, T0)).toBeNull();
    const cyc = snapshot([node('a', 'inFlight'), node('b', 'waiting', { dependsOn: ['c'] }), node('c', 'waiting', { dependsOn: ['b'] })]);
    expect(estimateEta(cyc, new Map([['t-a', p(1_000)]]), T0, T0)).toEqual({ ms: 1_000, source: 'predicted' });
  });

  it('a 10,000-task chain is fine (no recursion)', () => {
    const nodes = [node('n0', 'inFlight'), ...Array.from({ length: 9_999 }, (_, i) => node(`n${i + 1}`, 'waiting', { dependsOn: [`n${i}`] }))];
    expect(estimateEta(snapshot(nodes), new Map([['t-n0', p(10)]]), T0, T0)).toEqual({ ms: 100_000, source: 'predicted' });
  });
});

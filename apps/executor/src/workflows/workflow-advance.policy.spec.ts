import type { TaskStatus } from '@kairos/contracts';
import { markStarted, nextRunnable, snapshotRun, startRun, type DagRunSnapshot } from '@kairos/scheduling-core';
import { dagOf, planAdvance } from './workflow-advance.policy';

// a -> b -> d, a -> c -> d
const spec = (key: string, dependsOn: string[] = []) => ({ key, dependsOn, inputs: [], outputs: [] });
const dag = dagOf([spec('a'), spec('b', ['a']), spec('c', ['a']), spec('d', ['b', 'c'])]);

/** A checkpoint with every root started, as the gateway stores it at submission. */
function submitted(): DagRunSnapshot {
  const s0 = startRun(dag, 1);
  return snapshotRun(nextRunnable(s0).reduce((s, k) => markStarted(s, k), s0));
}
const rows = (...pairs: Array<[string, TaskStatus]>) => pairs.map(([key, status]) => ({ key, status }));
const statuses = (snap: DagRunSnapshot) => Object.fromEntries(Object.entries(snap.tasks).map(([k, t]) => [k, t.status]));

describe('planAdvance', () => {
  it('starts children once the root succeeded', () => {
    const p = planAdvance(dag, submitted(), rows(['a', 'succeeded']));
    expect(p).toMatchObject({ finished: ['a'], start: ['b', 'c'], upstreamFailed: [], status: 'running', changed: true });
    expect(statuses(snapshotRun(p.state))).toEqual({ a: 'succeeded', b: 'running', c: 'running', d: 'pending' });
  });

  it('waits for every dependency of a fan-in', () => {
    const afterA = snapshotRun(planAdvance(dag, submitted(), rows(['a', 'succeeded'])).state);
    const p = planAdvance(dag, afterA, rows(['a', 'succeeded'], ['b', 'succeeded'], ['c', 'running']));
    expect(p.start).toEqual([]);
    const q = planAdvance(dag, snapshotRun(p.state), rows(['a', 'succeeded'], ['b', 'succeeded'], ['c', 'succeeded']));
    expect(q.start).toEqual(['d']);
  });

  it('is idempotent: replaying a step on its own checkpoint changes nothing', () => {
    const observed = rows(['a', 'succeeded']);
    const first = planAdvance(dag, submitted(), observed);
    const again = planAdvance(dag, snapshotRun(first.state), [...observed, ...rows(['b', 'queued'], ['c', 'queued'])]);
    expect(again).toMatchObject({ finished: [], start: [], changed: false, status: 'running' });
  });

  it.each<[TaskStatus]>([['failed'], ['timed_out'], ['cancelled']])('a terminal %s marks the downstream upstream_failed and fails the run', (terminal) => {
    const afterA = snapshotRun(planAdvance(dag, submitted(), rows(['a', 'succeeded'])).state);
    const p = planAdvance(dag, afterA, rows(['a', 'succeeded'], ['b', terminal]));
    expect(p.upstreamFailed).toEqual(['d']);
    expect(p.status).toBe('running'); // c is still running
    const q = planAdvance(dag, snapshotRun(p.state), rows(['a', 'succeeded'], ['b', terminal], ['c', 'succeeded']));
    expect(q).toMatchObject({ finished: ['c'], start: [], upstreamFailed: [], status: 'failed' });
  });

  it('ignores non-terminal rows and keys not running in the checkpoint', () => {
    const p = planAdvance(dag, submitted(), rows(['a', 'running'], ['zzz', 'succeeded']));
    expect(p.changed).toBe(false);
  });

  it('reports success when the last task succeeded', () => {
    let snap = submitted();
    const done = rows(['a', 'succeeded'], ['b', 'succeeded'], ['c', 'succeeded'], ['d', 'succeeded']);
    for (let i = 0; i < 3; i++) snap = snapshotRun(planAdvance(dag, snap, done).state);
    expect(statuses(snap)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(planAdvance(dag, snap, done).status).toBe('succeeded');
  });
});

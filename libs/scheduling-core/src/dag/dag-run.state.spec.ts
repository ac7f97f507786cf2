import { DagError } from './dag.errors';
import { DagTaskSpec, buildDag } from './dag.model';
import { DagRunSnapshot, DagRunState, applyResult, cancelSnapshot, markStarted, nextRunnable, planRerun, restoreRun, runStatus, snapshotRun, startRun } from './dag-run.state';

// a -> b -> d, a -> c -> d, d -> e; f independent
const specs: DagTaskSpec[] = [
  { id: 'a' },
  { id: 'b', dependsOn: ['a'] },
  { id: 'c', dependsOn: ['a'] },
  { id: 'd', dependsOn: ['b', 'c'] },
  { id: 'e', dependsOn: ['d'] },
  { id: 'f' },
];
const dag = buildDag(specs);

const statuses = (s: DagRunState): Record<string, string> => Object.fromEntries(s.dag.ids.map((id, i) => [id, s.tasks[i].status]));
const run = (s: DagRunState, id: string, ok: boolean, retryable = false): DagRunState =>
  applyResult(markStarted(s, id), id, ok ? { kind: 'succeeded' } : { kind: 'failed', retryable });

describe('workflow run state machine', () => {
  it('releases tasks as their dependencies succeed', () => {
    let s = startRun(dag);
    expect(nextRunnable(s)).toEqual(['a', 'f']);
    s = run(s, 'a', true);
    expect(nextRunnable(s)).toEqual(['b', 'c', 'f']);
    s = run(run(s, 'b', true), 'c', true);
    expect(nextRunnable(s)).toEqual(['d', 'f']);
    for (const id of ['d', 'e', 'f']) s = run(s, id, true);
    expect(runStatus(s)).toBe('succeeded');
  });

  it('a running task is not offered again', () => {
    const s = markStarted(startRun(dag), 'a');
    expect(nextRunnable(s)).toEqual(['f']);
    expect(runStatus(s)).toBe('running');
  });

  it('terminal failure marks all downstream upstream_failed, leaves others alone', () => {
    let s = run(startRun(dag), 'a', true);
    s = run(s, 'b', false);
    expect(statuses(s)).toEqual({ a: 'succeeded', b: 'failed', c: 'pending', d: 'upstream_failed', e: 'upstream_failed', f: 'pending' });
    expect(nextRunnable(s)).toEqual(['c', 'f']);
    s = run(run(s, 'c', true), 'f', true);
    expect(nextRunnable(s)).toEqual([]);
    expect(runStatus(s)).toBe('failed');
  });

  it('retryable failure returns to pending until attempts are used up', () => {
    let s = startRun(dag, 2);
    s = run(s, 'a', false, true);
    expect(statuses(s).a).toBe('pending');
    expect(s.tasks[0].attempts).toBe(1);
    s = run(s, 'a', false, true);
    expect(statuses(s)).toMatchObject({ a: 'failed', b: 'upstream_failed', e: 'upstream_failed', f: 'pending' });
    expect(s.tasks[0].attempts).toBe(2);
  });

  it.each<[string, (s: DagRunState) => DagRunState, string]>([
    ['start a task whose dependency has not succeeded', (s) => markStarted(s, 'b'), 'invalid_transition'],
    ['report a result for a task that is not running', (s) => applyResult(s, 'a', { kind: 'succeeded' }), 'invalid_transition'],
    ['name an unknown task', (s) => markStarted(s, 'nope'), 'unknown_task'],
  ])('rejects: %s', (_, act, code) => {
    expect(() => act(startRun(dag))).toThrow(expect.objectContaining({ code }) as DagError);
  });

  it('transitions never mutate the previous state', () => {
    const s0 = startRun(dag);
    const s1 = markStarted(s0, 'a');
    expect(statuses(s0).a).toBe('pending');
    expect(statuses(s1).a).toBe('running');
  });
});

describe('planRerun (partial re-run from a checkpoint)', () => {
  it('re-runs failed tasks and their downstream, keeps succeeded upstream results', () => {
    let s = run(startRun(dag), 'a', true);
    s = run(run(s, 'c', true), 'b', false);
    s = run(s, 'f', true);
    const plan = planRerun(s);
    expect(plan.rerun).toEqual(['b', 'd', 'e']);
    expect(plan.kept).toEqual(['a', 'c', 'f']);
    expect(nextRunnable(plan.state)).toEqual(['b']);
    expect(plan.state.tasks.every((t) => t.attempts === 0)).toBe(true);
  });

  it('tasks running when the checkpoint was taken run again', () => {
    const s = markStarted(run(startRun(dag), 'a', true), 'b');
    expect(planRerun(s).kept).toEqual(['a']);
  });

  it('forcing a succeeded task re-runs it and its downstream only', () => {
    let s = startRun(dag);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) s = run(s, id, true);
    const plan = planRerun(s, ['c']);
    expect(plan.rerun).toEqual(['c', 'd', 'e']);
    expect(plan.kept).toEqual(['a', 'b', 'f']);
  });
});

describe('snapshot / restore', () => {
  it('round-trips through JSON and feeds planRerun', () => {
    let s = run(startRun(dag, 3), 'a', true);
    s = run(s, 'b', false, false);
    const restored = restoreRun(dag, JSON.parse(JSON.stringify(snapshotRun(s))) as DagRunSnapshot);
    expect(restored).toEqual(s);
    // c and f never started, so they run too; a's result is kept.
    expect(planRerun(restored)).toMatchObject({ rerun: ['b', 'c', 'd', 'e', 'f'], kept: ['a'] });
  });

  it('cancelSnapshot: unfinished tasks become cancelled, finished ones keep their outcome; a rerun plans them again', () => {
    let s = run(startRun(dag), 'a', true);
    s = markStarted(s, 'b');
    const cancelled = restoreRun(dag, cancelSnapshot(JSON.parse(JSON.stringify(snapshotRun(s))) as DagRunSnapshot));
    expect(statuses(cancelled)).toEqual({ a: 'succeeded', b: 'cancelled', c: 'cancelled', d: 'cancelled', e: 'cancelled', f: 'cancelled' });
    expect(cancelled.tasks[1].attempts).toBe(1);
    expect(nextRunnable(cancelled)).toEqual([]);
    expect(planRerun(cancelled)).toMatchObject({ rerun: ['b', 'c', 'd', 'e', 'f'], kept: ['a'] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['unknown task id', { zz: { status: 'pending', attempts: 0 } }, 'unknown_task'],
    ['unknown status', { a: { status: 'done', attempts: 0 } }, 'invalid_transition'],
    ['negative attempts', { a: { status: 'pending', attempts: -1 } }, 'invalid_transition'],
  ])('rejects %s', (_, tasks, code) => {
    expect(() => restoreRun(dag, { maxAttempts: 1, tasks } as unknown as DagRunSnapshot)).toThrow(expect.objectContaining({ code }) as DagError);
  });
});

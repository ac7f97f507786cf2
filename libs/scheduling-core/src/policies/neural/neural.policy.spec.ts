import { ClusterState } from '../../model/cluster-state';
import { seededRng } from '../../model/clock';
import { resources } from '../../model/resources';
import { makeTask } from '../../model/task.factory';
import type { Task } from '../../model/task.model';
import { BestFitPlacement } from '../../placement/packing.placement';
import { DEFAULT_RETRY_POLICY } from '../../retry/retry-policy';
import { simulate } from '../../sim/simulator';
import { HistoryDurationEstimator } from '../../traces/duration-estimator';
import { syntheticWorkload } from '../../traces/synthetic.trace';
import { createPolicy } from '../policy.registry';
import { N_CONTEXT, N_TASK } from './neural-features';
import { makePolicyWeights } from './neural.fixtures';
import { NeuralPolicy, type TrajectoryRecorder } from './neural.policy';

const NODE = resources({ cpuMillis: 4000, memMb: 8192, io: 100, net: 200 });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: NODE }));
const neural = (w = makePolicyWeights(), extra: Partial<ConstructorParameters<typeof NeuralPolicy>[0]> = {}) =>
  new NeuralPolicy({ placement: new BestFitPlacement(), nodeCapacity: NODE, weights: w, ...extra });

function drain(p: NeuralPolicy, c: ClusterState, tasks: readonly Task[], now = 0): string[] {
  const out: string[] = [];
  for (;;) {
    const d = p.pickNext(c, now);
    if (d.kind === 'idle') return out;
    const t = tasks.find((x) => x.id === d.taskId) as Task;
    for (const n of d.nodeIndexes) c.allocate(n, t.request);
    p.commit(d, now);
    out.push(d.taskId);
  }
}

describe('neural (rl) policy', () => {
  it('with the prior weights it is sjf-online: the same replay, decision for decision', () => {
    const tasks = syntheticWorkload({ tasks: 400, rng: seededRng(5), meanInterArrival: 2 });
    const run = (p: ReturnType<typeof createPolicy>) =>
      simulate(tasks, p, { nodes: nodes(3), failureProbability: 0, retry: DEFAULT_RETRY_POLICY, seed: 3, noiseSigma: 0.5, predictor: new HistoryDurationEstimator() }).instanceWaits;
    const sjf = run(createPolicy('sjf-online', { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: NODE }));
    const nn = run(neural(makePolicyWeights({ shortlist: 8 })));
    expect(sjf.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(Array.from(nn)).toEqual(Array.from(sjf));
  });

  it('ranks by the estimate, learns run times from finished instances, and forgets removed tasks', () => {
    const a = makeTask({ id: 'a', predicted: 10, instances: 3, request: { cpuMillis: 4000, memMb: 0 } });
    const b = makeTask({ id: 'b', predicted: 20, request: { cpuMillis: 4000, memMb: 0 } });
    const c = makeTask({ id: 'c', predicted: 30, request: { cpuMillis: 4000, memMb: 0 } });
    const p = neural();
    for (const t of [a, b, c]) p.enqueue(t, t.instances, 0);
    expect(p.queuedTasks).toBe(3);
    expect(p.queuedInstances).toBe(5);
    const cl = new ClusterState(nodes(1));
    const first = p.pickNext(cl, 0);
    expect(first.kind === 'dispatch' && first.taskId).toBe('a'); // shortest prediction
    if (first.kind === 'dispatch') p.commit(first, 0);
    // a's pilot is out (1 of 3 instances started, nothing observed): its siblings rank 0.5 lower,
    // ln 10 + 0.5 < ln 20, so a still leads.
    let d = p.pickNext(new ClusterState(nodes(1)), 1);
    expect(d.kind === 'dispatch' && d.taskId).toBe('a');
    // The pilot took 100 s: a's estimate is now 100 s, behind b (20) and c (30).
    p.onInstanceEnd(a, 0, 0, 100, true);
    d = p.pickNext(new ClusterState(nodes(1)), 100);
    expect(d.kind === 'dispatch' && d.taskId).toBe('b');
    p.remove('b');
    expect(p.queuedTasks).toBe(2);
    expect(p.queuedInstances).toBe(3);
    d = p.pickNext(new ClusterState(nodes(1)), 100);
    expect(d.kind === 'dispatch' && d.taskId).toBe('c');
  });

  it('a failed instance does not count as an observed run time', () => {
    const a = makeTask({ id: 'a', predicted: 10, instances: 2, request: { cpuMillis: 4000, memMb: 0 } });
    const b = makeTask({ id: 'b', predicted: 50, request: { cpuMillis: 4000, memMb: 0 } });
    const p = neural();
    p.enqueue(a, 2, 0);
    p.enqueue(b, 1, 0);
    const d0 = p.pickNext(new ClusterState(nodes(1)), 0);
    if (d0.kind === 'dispatch') p.commit(d0, 0);
    // The pilot fails after 2 s: no run time observed, a keeps its 10 s prediction and leads b.
    p.onInstanceEnd(a, 0, 0, 2, false);
    p.enqueue(a, 1, 2);
    const d = p.pickNext(new ClusterState(nodes(1)), 2);
    expect(d.kind === 'dispatch' && d.taskId).toBe('a');
    const e = p.explainLast(20);
    expect(e?.topInputs.find((x) => x.feature === 'has_observed.v1')?.value).toBe(0);
    expect(e?.topInputs.find((x) => x.feature === 'log_estimate_s.v1')?.value).toBeCloseTo(Math.log(10), 12);
  });

  it('aging lets an old long task overtake a new short one', () => {
    const old = makeTask({ id: 'old', predicted: 1000, arrival: 0, request: { cpuMillis: 4000, memMb: 0 } });
    const young = makeTask({ id: 'young', predicted: 10, arrival: 7200, request: { cpuMillis: 4000, memMb: 0 } });
    for (const [aging, first] of [
      [0, 'young'],
      [3, 'old'],
    ] as const) {
      const p = neural(makePolicyWeights({ agingPerHour: aging }));
      p.enqueue(old, 1, 0);
      p.enqueue(young, 1, 7200);
      expect(drain(p, new ClusterState(nodes(1)), [old, young], 7200)).toEqual([first]);
    }
  });

  it('explains a decision: top inputs by |gradient × input| and the runner-up', () => {
    const tasks = [
      makeTask({ id: 'short', predicted: 5, request: { cpuMillis: 1000, memMb: 512 } }),
      makeTask({ id: 'long', predicted: 500, request: { cpuMillis: 1000, memMb: 512 } }),
    ];
    const p = neural();
    for (const t of tasks) p.enqueue(t, 1, 0);
    expect(p.explainLast()).toBeNull();
    const d = p.pickNext(new ClusterState(nodes(1)), 60);
    expect(d.kind === 'dispatch' && d.taskId).toBe('short');
    const e = p.explainLast(3);
    expect(e).not.toBeNull();
    expect(e?.taskId).toBe('short');
    expect(e?.candidates).toBe(2);
    expect(e?.runnerUp?.taskId).toBe('long');
    // sjf rule: priority = −ln(estimate) − 0.5 pilots_out (+ 0 from the zero-output networks).
    expect(e?.score).toBeCloseTo(-Math.log(5), 9);
    expect(e?.runnerUp?.score).toBeCloseTo(-Math.log(500), 9);
    expect(e?.topInputs).toHaveLength(3);
    expect(e?.topInputs[0]).toEqual({ feature: 'log_estimate_s.v1', value: Math.log(5), contribution: -Math.log(5) });
    const mags = (e?.topInputs ?? []).map((x) => Math.abs(x.contribution));
    expect(mags).toEqual([...mags].sort((x, y) => y - x));
    expect(e?.modelVersion).toBe('test');
    expect(p.pickNext(new ClusterState([]), 61).kind).toBe('idle');
    expect(p.explainLast()).toBeNull();
  });

  it('samples reproducibly for a seed and reports choices and queue changes to a recorder', () => {
    const tasks = syntheticWorkload({ tasks: 60, rng: seededRng(9), meanInterArrival: 1 });
    const record = (seed: number) => {
      const choices: number[] = [];
      const queue: number[] = [];
      const rec: TrajectoryRecorder = {
        queueChanged: (_now, q, wq) => queue.push(q, wq),
        decision: (_now, count, task, ctx, wait, chosen) => {
          expect(count).toBeGreaterThanOrEqual(2);
          expect(task.length).toBeGreaterThanOrEqual(count * N_TASK);
          expect(ctx.length).toBeGreaterThanOrEqual(count * N_CONTEXT);
          expect(wait.length).toBeGreaterThanOrEqual(count);
          choices.push(chosen);
        },
      };
      const p = neural(makePolicyWeights({ randomOutput: true, shortlist: 6 }), { sampling: { rng: seededRng(seed) }, recorder: rec });
      simulate(tasks, p, { nodes: nodes(2), failureProbability: 0.05, retry: DEFAULT_RETRY_POLICY, seed: 1, noiseSigma: 0.5 });
      return { choices, queue };
    };
    const a = record(1);
    const b = record(1);
    const c = record(2);
    expect(a.choices.length).toBeGreaterThan(20);
    expect(b).toEqual(a);
    expect(c.choices).not.toEqual(a.choices);
    // The queue ends empty.
    expect(a.queue.slice(-2)).toEqual([0, expect.closeTo(0, 9)]);
  });
});

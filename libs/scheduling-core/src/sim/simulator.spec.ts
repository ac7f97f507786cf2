import { seededRng } from '../model/clock';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import type { Task } from '../model/task.model';
import { BestFitPlacement } from '../placement/packing.placement';
import { createPolicy, POLICY_NAMES } from '../policies/policy.registry';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../retry/retry-policy';
import { HistoryDurationEstimator, type DurationPredictor, type Prediction } from '../traces/duration-estimator';
import { syntheticWorkload } from '../traces/synthetic.trace';
import { realiseInstanceDurations } from './duration-noise';
import { EventHeap } from './event-heap';
import { jainIndex } from './metrics';
import { simulate, type SimConfig } from './simulator';

const CAP = resources({ cpuMillis: 4000, memMb: 8192, io: 100, net: 200 });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: CAP }));
const config = (o: Partial<SimConfig> = {}): SimConfig => ({
  nodes: nodes(2),
  failureProbability: 0,
  retry: DEFAULT_RETRY_POLICY,
  seed: 1,
  noiseSigma: 0,
  ...o,
});
const policy = (name: string) => createPolicy(name, { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: CAP });
const wholeNode = { cpuMillis: 4000, memMb: 0 };

describe('event heap', () => {
  it('pops by time, equal times in insertion order', () => {
    const h = new EventHeap<string>();
    [[5, 'a'], [1, 'b'], [5, 'c'], [0, 'd'], [1, 'e']].forEach(([t, x]) => h.push(t as number, x as string));
    const out: string[] = [];
    while (h.size) out.push((h.pop() as { item: string }).item);
    expect(out).toEqual(['d', 'b', 'e', 'a', 'c']);
  });
});

describe('simulator', () => {
  it('hand-checked FIFO run: waits, JCT, makespan and utilisation (σ = 0)', () => {
    // One node of 4 cores; three 4-core tasks of 10 s arrive at 0 → they run back to back.
    const tasks = ['a', 'b', 'c'].map((id) => makeTask({ id, request: wholeNode, actual: 10 }));
    const m = simulate(tasks, policy('fifo'), config({ nodes: nodes(1) })).metrics;
    expect(m.meanWaitPerInstance).toBeCloseTo(10, 9); // (0 + 10 + 20) / 3
    expect(m.meanWaitPerTask).toBeCloseTo(10, 9);
    expect(m.meanJobJct).toBeCloseTo(20, 9); // each task is its own job: (10 + 20 + 30) / 3
    expect(m.makespan).toBe(30);
    expect(m.utilisation.cpuMillis).toBeCloseTo(1, 9);
    expect(m.successRate).toBe(1);
  });

  it('per-task vs per-instance wait and per-job JCT, hand-computed', () => {
    // One 4-core node, FIFO. A (job J1): 1 instance of 100 s at t=0. B (job J2): 3 instances of 10 s
    // at t=0, queued behind A → B's instances start at 100, 110, 120. C (job J1): 1 instance of 5 s
    // at t=1 → starts at 130 (wait 129), ends 135.
    const tasks = [
      makeTask({ id: 'A', jobId: 'J1', request: wholeNode, actual: 100 }),
      makeTask({ id: 'B', jobId: 'J2', request: wholeNode, actual: 10, instances: 3 }),
      makeTask({ id: 'C', jobId: 'J1', request: wholeNode, actual: 5, arrival: 1 }),
    ];
    const out = simulate(tasks, policy('fifo'), config({ nodes: nodes(1) }));
    expect(Array.from(out.instanceWaits)).toEqual([0, 100, 110, 120, 129]);
    const m = out.metrics;
    expect(m.meanWaitPerInstance).toBeCloseTo((0 + 100 + 110 + 120 + 129) / 5, 9); // 91.8
    expect(m.meanWaitPerTask).toBeCloseTo((0 + 110 + 129) / 3, 9); // 79.67: B's mean is 110
    expect(m.p95WaitPerInstance).toBe(129); // nearest rank: ceil(0.95·5) = 5th of 5
    expect(m.p95WaitPerTask).toBe(129);
    expect(m.jobs).toBe(2);
    expect(m.meanJobJct).toBeCloseTo((135 - 0 + (130 - 0)) / 2, 9); // J1 ends with C at 135, J2 with B at 130
  });

  it('retries count toward the same instance wait, back-off included (no jitter, 1 s then 2 s)', () => {
    // p = 1: every attempt fails at some point of its run; with 3 attempts the instance waits the
    // two back-offs (1 s, 2 s) on an otherwise idle cluster, whatever the failure points are.
    const retry = RetryPolicy.of({ initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 10_000, jitter: 'none', maxAttempts: 3 });
    const out = simulate([makeTask({ id: 'x', actual: 10 })], policy('fifo'), config({ failureProbability: 1, retry }));
    expect(out.metrics.attempts).toBe(3);
    expect(out.metrics.failedAttempts).toBe(3);
    expect(out.instanceWaits[0]).toBeCloseTo(3, 9);
    expect(out.metrics.successRate).toBe(0);
  });

  it('retries with back-off: with p = 1 every instance fails after maxAttempts attempts', () => {
    const tasks = [makeTask({ id: 'x', instances: 2, actual: 5 })];
    const out = simulate(tasks, policy('fifo'), config({ failureProbability: 1, retry: DEFAULT_RETRY_POLICY.with({ maxAttempts: 3 }) }));
    expect(out.metrics.attempts).toBe(6);
    expect(out.metrics.successRate).toBe(0);
  });

  it('attempts lost with a node are requeued without charging the budget (as live)', () => {
    // maxAttempts 1: a charged loss would fail the instance; lost attempts must not.
    const tasks = syntheticWorkload({ tasks: 60, rng: seededRng(5), meanInterArrival: 1 });
    const out = simulate(tasks, policy('fifo'), config({ retry: DEFAULT_RETRY_POLICY.with({ maxAttempts: 1 }), nodeFailures: { count: 3, downtimeSeconds: 100 } }));
    expect(out.metrics.lostAttempts).toBeGreaterThan(0);
    expect(out.metrics.failedAttempts).toBe(0);
    expect(out.metrics.successRate).toBe(1);
  });

  it.each(POLICY_NAMES.map((n) => [n]))('%s: no instance lost or duplicated under failures and node loss', (name) => {
    const tasks = syntheticWorkload({ tasks: 80, rng: seededRng(4), meanInterArrival: 2 });
    const out = simulate(tasks, policy(name), config({ noiseSigma: 0.5, failureProbability: 0.2, retry: DEFAULT_RETRY_POLICY.with({ maxAttempts: 3 }), nodeFailures: { count: 2, downtimeSeconds: 50 } }));
    tasks.forEach((t, i) => expect((out.succeededByTask[i] ?? 0) + (out.failedByTask[i] ?? 0)).toBe(t.instances));
    const instances = tasks.reduce((s, t) => s + t.instances, 0);
    expect(out.metrics.instances).toBe(instances);
    // starts = one first attempt per instance + one per retry; retries ≤ failed + lost attempts.
    expect(out.starts).toBe(out.metrics.attempts);
    expect(out.metrics.attempts).toBeGreaterThanOrEqual(instances);
    expect(out.metrics.attempts - instances).toBeLessThanOrEqual(out.metrics.failedAttempts + out.metrics.lostAttempts);
    expect(out.metrics.successRate).toBeGreaterThan(0.95);
    expect(out.metrics.utilisation.cpuMillis).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('is deterministic for a seed', () => {
    const tasks = syntheticWorkload({ tasks: 50, rng: seededRng(9) });
    const a = simulate(tasks, policy('ai'), config({ failureProbability: 0.1, noiseSigma: 0.5 })).metrics;
    const b = simulate(tasks, policy('ai'), config({ failureProbability: 0.1, noiseSigma: 0.5 })).metrics;
    expect(a).toEqual(b);
  });

  it('runs each instance for its realised (noisy) duration', () => {
    // One node, one task of 3 whole-node instances: they run back to back, so the makespan is the
    // sum of the three realised durations, which differ from the span with σ = 0.5.
    const tasks = [makeTask({ id: 'x', request: wholeNode, actual: 100, instances: 3 })];
    const d = realiseInstanceDurations(tasks, { sigma: 0.5, seed: 7 });
    const out = simulate(tasks, policy('fifo'), config({ nodes: nodes(1), seed: 7, noiseSigma: 0.5 }));
    const sum = Array.from(d.seconds).reduce((a, b) => a + b, 0);
    expect(new Set(Array.from(d.seconds)).size).toBe(3);
    expect(out.metrics.makespan).toBeCloseTo(sum, 9);
    expect(Array.from(out.durations.seconds)).toEqual(Array.from(d.seconds));
  });

  it('the predictor sees only what has finished in simulated time', () => {
    // One node. X (job B) blocks it from 0 to 100. A (job J) arrives at 1 and runs 10 s: in the trace
    // it ended at 11, but in the simulation it waits behind X and ends at 110. B (job J) arrives at
    // 50: a trace-time predictor would already know A (ended at 11 ≤ 50); in simulated time A is
    // still queued, so B must not get a 'job' estimate. C (job J) arrives at 200, after A ended.
    const tasks = [
      makeTask({ id: 'X', jobId: 'B', request: wholeNode, actual: 100 }),
      makeTask({ id: 'A', jobId: 'J', request: wholeNode, actual: 10, arrival: 1 }),
      makeTask({ id: 'B', jobId: 'J', request: wholeNode, actual: 30, arrival: 50 }),
      makeTask({ id: 'C', jobId: 'J', request: wholeNode, actual: 30, arrival: 200 }),
    ];
    const seenAt = new Map<string, Prediction>();
    const inner = new HistoryDurationEstimator(120);
    const observed: [string, number, number][] = [];
    const spy: DurationPredictor = {
      predict: (t, now) => {
        const p = inner.predict(t, now);
        seenAt.set(t.id, p);
        return p;
      },
      observe: (t, run, now) => {
        observed.push([t.id, run, now]);
        inner.observe(t, run, now);
      },
    };
    const out = simulate(tasks, policy('fifo'), config({ nodes: nodes(1), predictor: spy }));
    expect(observed.map(([id, , now]) => [id, now])).toEqual([['X', 100], ['A', 110], ['B', 140], ['C', 230]]);
    expect(seenAt.get('A')?.source).toBe('prior'); // nothing finished yet at t = 1
    expect(seenAt.get('B')?.source).toBe('prior'); // X runs, A queued: nothing finished at t = 50
    expect(seenAt.get('C')?.source).toBe('job'); // A (10 s) and B (30 s) of job J finished by 200
    expect(seenAt.get('C')?.predicted).toBeCloseTo(Math.sqrt(10 * 30), 9); // geometric mean
    expect(out.metrics.successRate).toBe(1);
  });

  it('policies see the prediction made at arrival (sjf orders by it)', () => {
    // A predictor that calls every task of job "short" 1 s and the rest 1000 s; sjf must start the
    // "short" task first although it arrived last and is truly longer.
    const predictor: DurationPredictor = {
      predict: (t) => ({ predicted: t.jobId === 'short' ? 1 : 1000, std: 0, source: 'prior' }),
      observe: () => undefined,
    };
    const tasks: Task[] = [
      makeTask({ id: 'blocker', request: wholeNode, actual: 10 }),
      makeTask({ id: 'p', request: wholeNode, actual: 5, arrival: 1 }),
      makeTask({ id: 'q', jobId: 'short', request: wholeNode, actual: 50, arrival: 2 }),
    ];
    const out = simulate(tasks, policy('sjf'), config({ nodes: nodes(1), predictor }));
    expect(Array.from(out.instanceWaits)).toEqual([0, 59, 8]); // q starts at 10, p at 60
  });

  it('zero-length instances start and end at once, with and without noise', () => {
    const tasks = [makeTask({ id: 'z', actual: 0, instances: 3 }), makeTask({ id: 'y', actual: 5, arrival: 1 })];
    for (const noiseSigma of [0, 0.5]) {
      const out = simulate(tasks, policy('fifo'), config({ noiseSigma }));
      expect(out.metrics.successRate).toBe(1);
      expect(Array.from(out.instanceWaits)).toEqual([0, 0, 0, 0]);
    }
  });

  it('fails loudly when a task can never fit', () => {
    const tasks = [makeTask({ id: 'huge', request: { cpuMillis: 99_999 } })];
    expect(() => simulate(tasks, policy('sjf'), config())).toThrow(expect.objectContaining({ code: 'INFEASIBLE' }));
  });

  it('jain index: 1 for equal shares, 1/n for one winner', () => {
    expect(jainIndex([2, 2, 2])).toBeCloseTo(1);
    expect(jainIndex([1, 0, 0, 0])).toBeCloseTo(0.25);
  });
});

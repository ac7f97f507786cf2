import { seededRng } from '../model/clock';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { BestFitPlacement } from '../placement/packing.placement';
import { createPolicy, POLICY_NAMES } from '../policies/policy.registry';
import { syntheticWorkload } from '../traces/synthetic.trace';
import { EventHeap } from './event-heap';
import { jainIndex } from './metrics';
import { DEFAULT_BACKOFF, simulate, type SimConfig } from './simulator';

const CAP = resources({ cpuMillis: 4000, memMb: 8192, io: 100, net: 200 });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: CAP }));
const config = (o: Partial<SimConfig> = {}): SimConfig => ({
  nodes: nodes(2),
  failureProbability: 0,
  maxRetries: 3,
  backoff: DEFAULT_BACKOFF,
  seed: 1,
  ...o,
});
const policy = (name: string) => createPolicy(name, { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: CAP });

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
  it('hand-checked FIFO run: waits, JCT, makespan and utilisation', () => {
    // One node of 4 cores; three 4-core tasks of 10 s arrive at 0 → they run back to back.
    const tasks = ['a', 'b', 'c'].map((id) => makeTask({ id, request: { cpuMillis: 4000, memMb: 0 }, actual: 10 }));
    const m = simulate(tasks, policy('fifo'), config({ nodes: nodes(1) })).metrics;
    expect(m.meanWait).toBeCloseTo(10, 9); // (0 + 10 + 20) / 3
    expect(m.meanJct).toBeCloseTo(20, 9);
    expect(m.makespan).toBe(30);
    expect(m.utilisation.cpuMillis).toBeCloseTo(1, 9);
    expect(m.successRate).toBe(1);
  });

  it.each(POLICY_NAMES.map((n) => [n]))('%s: no instance lost or duplicated under failures and node loss', (name) => {
    const tasks = syntheticWorkload({ tasks: 80, rng: seededRng(4), meanInterArrival: 2 });
    const out = simulate(tasks, policy(name), config({ failureProbability: 0.2, maxRetries: 2, nodeFailures: { count: 2, downtimeSeconds: 50 } }));
    tasks.forEach((t, i) => expect((out.succeededByTask[i] ?? 0) + (out.failedByTask[i] ?? 0)).toBe(t.instances));
    const instances = tasks.reduce((s, t) => s + t.instances, 0);
    expect(out.metrics.instances).toBe(instances);
    // starts = one first attempt per instance + one per retry; failed attempts ≥ retries.
    expect(out.starts).toBe(out.metrics.attempts);
    expect(out.metrics.attempts).toBeGreaterThanOrEqual(instances);
    expect(out.metrics.attempts - instances).toBeLessThanOrEqual(out.metrics.failedAttempts);
    expect(out.metrics.successRate).toBeGreaterThan(0.95);
    expect(out.metrics.utilisation.cpuMillis).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('is deterministic for a seed', () => {
    const tasks = syntheticWorkload({ tasks: 50, rng: seededRng(9) });
    const a = simulate(tasks, policy('ai'), config({ failureProbability: 0.1 })).metrics;
    const b = simulate(tasks, policy('ai'), config({ failureProbability: 0.1 })).metrics;
    expect(a).toEqual(b);
  });

  it('retries with back-off: with p = 1 every instance fails after 1 + maxRetries attempts', () => {
    const tasks = [makeTask({ id: 'x', instances: 2, actual: 5 })];
    const out = simulate(tasks, policy('fifo'), config({ failureProbability: 1, maxRetries: 2 }));
    expect(out.metrics.attempts).toBe(6);
    expect(out.metrics.successRate).toBe(0);
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

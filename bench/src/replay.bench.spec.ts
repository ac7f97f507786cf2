import { resources, type Task } from '@kairos/scheduling-core';
import { formatReplayTable, liveFigures, prepareReplay, type ReplayWindow } from './replay.bench';

const task = (id: string, jobId: string, arrival: number, instances: number, actual: number): Task => ({
  id, jobId, tenant: 't0', priority: 0, request: resources({ cpuMillis: 1000, memMb: 1000 }), duration: { actual }, arrival, instances, gang: false,
});

describe('bench replay (pure parts)', () => {
  it('compresses arrivals and realised durations by the same factor, caps instances and sizes nodes for the load', () => {
    const all = Array.from({ length: 40 }, (_, i) => task(`j${i}/t`, `j${i}`, 1000 + i * 100, 1 + (i % 5) * 30, 50 + i));
    const w = prepareReplay(all, { window: '0%:100%', sample: 1, maxTasks: 30, cap: 64, compress: 10, sigma: 0.5, seed: 1, load: 0.9 });
    expect(w.tasks).toHaveLength(30);
    expect(w.tasks[0]!.arrival).toBe(0);
    expect(w.tasks[1]!.arrival).toBeCloseTo(10);
    expect(Math.max(...w.tasks.map((t) => t.instances))).toBe(64);
    expect(w.offeredLoad).toBeGreaterThanOrEqual(0.9);
    expect(w.offeredLoad).toBeLessThan(0.95);
    // Noise is mean-preserving: a 50 s trace task averages ~5 s live over many instances.
    const k = w.tasks.findIndex((t) => t.instances === 64);
    const xs = Array.from(w.durations.seconds.slice(w.durations.offsets[k]!, w.durations.offsets[k + 1]!));
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeGreaterThan(0.5 * w.tasks[k]!.duration.actual!);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeLessThan(1.5 * w.tasks[k]!.duration.actual!);
  });

  it('splits the cluster into at least minNodes same-shape nodes with the same offered load (distributed mode)', () => {
    const all = Array.from({ length: 40 }, (_, i) => task(`j${i}/t`, `j${i}`, 1000 + i * 100, 1 + (i % 5) * 30, 50 + i));
    const o = { window: '0%:100%', sample: 1, maxTasks: 30, cap: 64, compress: 10, sigma: 0.5, seed: 1, load: 0.9 };
    const one = prepareReplay(all, o);
    const two = prepareReplay(all, { ...o, minNodes: 2 });
    expect(one.nodes).toBe(1);
    expect(two.nodes).toBe(2);
    expect(two.machine.cpuMillis).toBeLessThanOrEqual(Math.ceil(one.machine.cpuMillis / 2));
    expect(two.offeredLoad).toBeGreaterThanOrEqual(0.9);
    expect(two.offeredLoad).toBeLessThan(0.95);
    expect(two.tasks).toEqual(one.tasks);
  });

  it('groups live instances by task name like the simulator and averages per task and per instance', () => {
    const w = { tasks: [task('a', 'j1', 0, 2, 1), task('b', 'j2', 1, 1, 1)], machine: resources({ cpuMillis: 2000, memMb: 4000 }), nodes: 1 } as unknown as ReplayWindow;
    const f = liveFigures(w, [
      { name: 'a', created: 0, started: 1000, finished: 2000 },
      { name: 'a', created: 0, started: 3000, finished: 4000 },
      { name: 'b', created: 1000, started: 1000, finished: 5000 },
    ]);
    expect(f.perInstance.mean).toBeCloseTo(4 / 3);
    expect(f.perTask.mean).toBeCloseTo(1); // (2 + 0) / 2
    expect(f.started).toBe(3);
    expect(f.meanJobJct).toBeCloseTo(4); // j1 4 s, j2 4 s
    // 6 s of 1,000 mCPU / 1,000 MB on one 2,000 mCPU / 4,000 MB node over 5 s (first creation → last end).
    expect(f.utilisation.cpu).toBeCloseTo(0.6);
    expect(f.utilisation.mem).toBeCloseTo(0.3);
    const table = formatReplayTable([{ policy: 'fifo', sim: f, live: { ...f, perTask: { mean: 1.2, p95: 2 } }, liveSeconds: 10 }]);
    expect(table).toContain('20.0 %');
  });
});

import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { realiseInstanceDurations } from './duration-noise';
import { offeredLoad, sizeCluster } from './offered-load';

// Hand-computed: A arrives at 0 with 2 instances × 10 s (cpu 500, mem 100); B arrives at 10 with
// 1 instance × 40 s (cpu 250, mem 800). Arrival window 10 s.
// Work: cpu 2·10·500 + 40·250 = 20,000; mem 2·10·100 + 40·800 = 34,000.
// In-window (old figure): A's runs lie inside [0, 10], B's lies after it: cpu 10,000, mem 2,000.
const machine = resources({ cpuMillis: 1000, memMb: 1000 });
const tasks = [
  makeTask({ id: 'A', arrival: 0, instances: 2, actual: 10, request: { cpuMillis: 500, memMb: 100 } }),
  makeTask({ id: 'B', arrival: 10, instances: 1, actual: 40, request: { cpuMillis: 250, memMb: 800 } }),
];
const exact = realiseInstanceDurations(tasks, { sigma: 0, seed: 1 });

describe('offered load (usual definition)', () => {
  it('ρ = Σ instances × duration × request ÷ (capacity × window) on the bottleneck; old in-window figure beside it', () => {
    const o = offeredLoad(tasks, exact, machine);
    expect(o.windowSeconds).toBe(10);
    expect(o.byResource.cpuMillis).toBeCloseTo(2.0, 12);
    expect(o.byResource.memMb).toBeCloseTo(3.4, 12);
    expect(o.rho).toBeCloseTo(3.4, 12);
    expect(o.bottleneck).toBe('memMb');
    expect(o.inWindowByResource.cpuMillis).toBeCloseTo(1.0, 12);
    expect(o.inWindowByResource.memMb).toBeCloseTo(0.2, 12);
    expect(o.inWindow).toBeCloseTo(1.0, 12);
  });

  it('sizes the largest cluster whose ρ is still ≥ the load asked for, and reports ρ as measured', () => {
    // 34,000 / (0.9 · 10 · 1000) = 3.78 → 3 nodes, ρ = 34,000 / (3 · 1000 · 10) = 1.133.
    const a = sizeCluster(tasks, exact, 0.9, machine);
    expect(a.nodes).toHaveLength(3);
    expect(a.offered.rho).toBeCloseTo(34 / 30, 12);
    // 1.7 asks for exactly 2 nodes: float rounding must not drop one.
    const b = sizeCluster(tasks, exact, 1.7, machine);
    expect(b.nodes).toHaveLength(2);
    expect(b.offered.rho).toBeCloseTo(1.7, 12);
    // More load than one node can give still gets one node.
    expect(sizeCluster(tasks, exact, 100, machine).nodes).toHaveLength(1);
  });

  it('uses the realised per-instance durations', () => {
    const noisy = realiseInstanceDurations(tasks, { sigma: 0.5, seed: 3 });
    const memWork = tasks.reduce((s, t, k) => {
      let d = 0;
      for (let i = noisy.offsets[k] as number; i < (noisy.offsets[k + 1] as number); i++) d += noisy.seconds[i] as number;
      return s + d * t.request.memMb;
    }, 0);
    expect(offeredLoad(tasks, noisy, machine).byResource.memMb).toBeCloseTo(memWork / (1000 * 10), 12);
  });
});

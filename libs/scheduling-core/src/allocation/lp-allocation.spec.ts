import { resources } from '../model/resources';
import { allocateResources, buildAllocationLp } from './lp-allocation';

describe('LP resource allocation (HiGHS)', () => {
  it('gives the spare capacity to the higher-weight task (hand-solved)', async () => {
    // One node, 10 cores. A and B each need ≥ 2 cores, want ≤ 8. Spare = 6.
    // max 2·sA + 1·sB s.t. 6 sA + 6 sB ≤ 6 → sA = 1, sB = 0; objective 2.
    const res = await allocateResources({
      nodes: [{ id: 'n', capacity: resources({ cpuMillis: 10_000, memMb: 1000 }) }],
      tasks: [
        { id: 'A', node: 'n', weight: 2, min: resources({ cpuMillis: 2000 }), max: resources({ cpuMillis: 8000 }) },
        { id: 'B', node: 'n', weight: 1, min: resources({ cpuMillis: 2000 }), max: resources({ cpuMillis: 8000 }) },
      ],
    });
    expect(res.objective).toBeCloseTo(2, 6);
    expect(res.amounts.get('A')?.cpuMillis).toBeCloseTo(8000, 3);
    expect(res.amounts.get('B')?.cpuMillis).toBeCloseTo(2000, 3);
  });

  it('couples resources: the scarcer one binds (memory here)', async () => {
    // A: cpu 0..4000, mem 0..2000; node has 4000 cpu but only 1000 mem → sA = 0.5.
    const res = await allocateResources({
      nodes: [{ id: 'n', capacity: resources({ cpuMillis: 4000, memMb: 1000 }) }],
      tasks: [{ id: 'A', node: 'n', weight: 1, min: resources({}), max: resources({ cpuMillis: 4000, memMb: 2000 }) }],
    });
    expect(res.shares.get('A')).toBeCloseTo(0.5, 6);
    expect(res.amounts.get('A')?.cpuMillis).toBeCloseTo(2000, 3);
  });

  it('rejects minimums that exceed capacity and unknown nodes with typed errors', () => {
    expect(() =>
      buildAllocationLp({
        nodes: [{ id: 'n', capacity: resources({ cpuMillis: 1000 }) }],
        tasks: [{ id: 'A', node: 'n', weight: 1, min: resources({ cpuMillis: 2000 }), max: resources({ cpuMillis: 2000 }) }],
      }),
    ).toThrow(expect.objectContaining({ code: 'INFEASIBLE' }));
    expect(() =>
      buildAllocationLp({ nodes: [], tasks: [{ id: 'A', node: 'x', weight: 1, min: resources({}), max: resources({}) }] }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_NODE' }));
  });
});

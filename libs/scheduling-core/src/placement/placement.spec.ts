import { ClusterState } from '../model/cluster-state';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { ConsistentHashPlacement } from './consistent-hash.placement';
import { LeastConnectionsPlacement, LeastLoadedPlacement } from './least-loaded.placement';
import { BestFitPlacement, TetrisPlacement } from './packing.placement';
import { NO_NODE, type PlacementStrategy } from './placement-strategy';
import { createPlacement } from './placement.registry';
import { RoundRobinPlacement, WeightedRoundRobinPlacement } from './round-robin.placement';

const CAP = resources({ cpuMillis: 4000, memMb: 4000 });
const mk = (n: number, weights: number[] = []) =>
  new ClusterState(Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: CAP, weight: weights[i] })));
const unit = makeTask({ id: 'u', request: { cpuMillis: 100, memMb: 100 } });

/** Picks k nodes for `task`, committing (but not allocating) each choice. */
function picks(p: PlacementStrategy, c: ClusterState, k: number, task = unit): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const n = p.choose(task, c);
    p.committed(n);
    out.push(n);
  }
  return out;
}

describe('placement strategies', () => {
  it('round robin cycles through fitting nodes', () => {
    const c = mk(3);
    expect(picks(new RoundRobinPlacement(), c, 5)).toEqual([0, 1, 2, 0, 1]);
    c.setUp(1, false);
    expect(picks(new RoundRobinPlacement(), c, 3)).toEqual([0, 2, 0]);
  });

  it('weighted round robin is smooth: weights 2:1 give A B A', () => {
    expect(picks(new WeightedRoundRobinPlacement(), mk(2, [2, 1]), 6)).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('least loaded picks the lowest dominant share; least connections the fewest running', () => {
    const c = mk(3);
    c.allocate(0, resources({ cpuMillis: 2000 }));
    c.allocate(1, resources({ memMb: 1000 }));
    c.allocate(1, resources({ memMb: 100 }));
    expect(new LeastLoadedPlacement().choose(unit, c)).toBe(2);
    c.allocate(2, resources({ cpuMillis: 3000 }));
    expect(new LeastLoadedPlacement().choose(unit, c)).toBe(1); // 0.275 < 0.5 < 0.75
    expect(new LeastConnectionsPlacement().choose(unit, c)).toBe(0); // 1 running vs 2 vs 1 → first
  });

  it('consistent hashing is sticky per key and only moves keys of a lost node', () => {
    const c = mk(8);
    const p = new ConsistentHashPlacement(64);
    const keys = Array.from({ length: 200 }, (_, i) => makeTask({ id: `k${i}`, affinityKey: `key-${i}`, request: { cpuMillis: 1 } }));
    const before = keys.map((t) => p.choose(t, c));
    expect(keys.map((t) => p.choose(t, c))).toEqual(before);
    expect(new Set(before).size).toBe(8);
    c.setUp(3, false);
    const after = keys.map((t) => p.choose(t, c));
    keys.forEach((_, i) => {
      if (before[i] !== 3) expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe(3);
    });
  });

  it('tetris maximises the demand·free dot product; best fit minimises what is left', () => {
    const c = mk(2);
    c.allocate(0, resources({ cpuMillis: 3500, memMb: 0 })); // node0 free: 500 cpu, 4000 mem
    c.allocate(1, resources({ cpuMillis: 0, memMb: 3500 })); // node1 free: 4000 cpu, 500 mem
    const memHeavy = makeTask({ id: 'm', request: { cpuMillis: 100, memMb: 400 } });
    expect(new TetrisPlacement().choose(memHeavy, c)).toBe(0);
    const tiny = makeTask({ id: 't', request: { cpuMillis: 100, memMb: 100 } });
    // leftover: node0 0.1+0.975, node1 0.975+0.1 → equal, first wins; make node1 tighter
    c.allocate(1, resources({ cpuMillis: 1000 }));
    expect(new BestFitPlacement().choose(tiny, c)).toBe(1);
  });

  it('returns NO_NODE when nothing fits, and the registry rejects unknown names', () => {
    const huge = makeTask({ id: 'h', request: { cpuMillis: 5000 } });
    for (const name of ['round-robin', 'weighted-round-robin', 'least-loaded', 'least-connections', 'consistent-hash', 'tetris', 'best-fit']) {
      expect(createPlacement(name).choose(huge, mk(2))).toBe(NO_NODE);
    }
    expect(() => createPlacement('nope')).toThrow(/unknown placement "nope"/);
  });
});

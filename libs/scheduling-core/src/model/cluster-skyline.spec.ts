import { seededRng } from './clock';
import { ClusterState } from './cluster-state';
import { fitsIn, resources, type Resources } from './resources';
import type { Task } from './task.model';
import { REQ_STRIDE, RankedIndex } from '../policies/ordering-policy';

const cap = resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 });

function randomRequest(rng: { next(): number }): Resources {
  return resources({
    cpuMillis: [500, 1000, 2000, 4000][Math.floor(rng.next() * 4)] ?? 1000,
    memMb: [512, 1024, 4096, 8192][Math.floor(rng.next() * 4)] ?? 1024,
    io: Math.floor(rng.next() * 50),
    net: Math.floor(rng.next() * 100),
  });
}

/** A busy 40-node cluster: random requests allocated where they fit, two nodes down. */
function busyCluster(seed: number): ClusterState {
  const rng = seededRng(seed);
  const c = new ClusterState(Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, capacity: cap })));
  for (let k = 0; k < 2000; k++) {
    const r = randomRequest(rng);
    const n = Math.floor(rng.next() * c.size);
    if (c.fits(n, r)) c.allocate(n, r);
  }
  c.setUp(3, false);
  c.setUp(17, false);
  return c;
}

describe('ClusterState.skyline (exact fit test over the Pareto-maximal free vectors)', () => {
  it('answers exactly "some live node passes fitsIn", with and without an excluded node', () => {
    for (const seed of [1, 2, 3]) {
      const c = busyCluster(seed);
      const rng = seededRng(seed + 100);
      expect(c.skyline().size).toBeLessThanOrEqual(c.size - 2);
      for (const excluded of [-1, 0, 5]) {
        const s = c.skyline(excluded);
        for (let k = 0; k < 3000; k++) {
          const r = randomRequest(rng);
          const brute = c.nodes.some((n) => n.up && n.index !== excluded && fitsIn(r, n.free));
          expect(s.fits(r)).toBe(brute);
          expect(s.fitsAt(new Float64Array([r.cpuMillis, r.memMb, r.gpu, r.io, r.net]), 0)).toBe(brute);
          if (excluded < 0) expect(c.anyFits(r)).toBe(brute);
        }
      }
    }
  });

  it('is rebuilt after allocate, release and setUp', () => {
    const c = new ClusterState([{ id: 'a', capacity: cap }]);
    const big = resources({ cpuMillis: 10_000 });
    expect(c.skyline().fits(big)).toBe(true);
    c.allocate(0, resources({ cpuMillis: 8000 }));
    expect(c.skyline().fits(big)).toBe(false);
    c.release(0, resources({ cpuMillis: 8000 }));
    expect(c.skyline().fits(big)).toBe(true);
    c.setUp(0, false);
    expect(c.skyline().fits(big)).toBe(false);
    expect(c.skyline().size).toBe(0);
  });
});

describe('RankedIndex.packedRequests', () => {
  it("keeps each rank's request and gang flag in rank order through inserts, rekeys and removals", () => {
    const rng = seededRng(7);
    const idx = new RankedIndex();
    const live: string[] = [];
    for (let k = 0; k < 600; k++) {
      const op = rng.next();
      if (op < 0.5 || live.length === 0) {
        const id = `t${k}`;
        const task = { id, request: randomRequest(rng), gang: rng.next() < 0.2 } as unknown as Task;
        idx.insert({ task, pending: 1, started: 0, enqueuedAt: 0 }, Math.floor(rng.next() * 50));
        live.push(id);
      } else if (op < 0.8) {
        idx.rekey(live[Math.floor(rng.next() * live.length)] as string, Math.floor(rng.next() * 50));
      } else {
        const [id] = live.splice(Math.floor(rng.next() * live.length), 1);
        idx.remove(id as string);
      }
      const rq = idx.packedRequests();
      const want: number[] = [];
      for (let i = 0; i < idx.size; i++) {
        const t = idx.at(i)?.task;
        if (t) want.push(t.request.cpuMillis, t.request.memMb, t.request.gpu, t.request.io, t.request.net, t.gang ? 1 : 0);
      }
      expect(Array.from(rq.subarray(0, idx.size * REQ_STRIDE))).toEqual(want);
    }
  });
});

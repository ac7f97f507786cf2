import { SchedulingError } from './errors';
import { validateNode, type NodeSpec, type NodeState } from './node.model';
import { RESOURCE_KEYS, fitsIn, type MutableResources, type Resources } from './resources';

interface MutableNode {
  id: string;
  index: number;
  capacity: Resources;
  labels: Readonly<Record<string, string>>;
  weight: number;
  free: MutableResources;
  allocated: MutableResources;
  running: number;
  up: boolean;
}

/**
 * The cluster as policies and placements see it. Mutated only through allocate/release/setUp so the
 * derived aggregates (free totals, per-dimension max free) stay consistent.
 */
export class ClusterState {
  private readonly list: MutableNode[];
  private readonly byId = new Map<string, MutableNode>();
  private maxFreeCache: MutableResources | null = null;
  private freeTotalCache: MutableResources | null = null;
  private skylineCache: FreeSkyline | null = null;
  private readonly skyOrder: number[] = [];
  private skyTotal = new Float64Array(0);
  private skyScratch = new Float64Array(0);
  readonly totalCapacity: Resources;
  /** Capacity of the largest node per dimension: normalises requests for packing/fit scores. */
  readonly unitCapacity: Resources;

  constructor(specs: readonly NodeSpec[]) {
    this.list = specs.map((s, index) => {
      validateNode(s);
      if (this.byId.has(s.id)) throw new SchedulingError('INVALID_NODE', `duplicate node id ${s.id}`);
      const n: MutableNode = {
        id: s.id,
        index,
        capacity: s.capacity,
        labels: s.labels ?? {},
        weight: s.weight ?? 1,
        free: { ...s.capacity },
        allocated: { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 },
        running: 0,
        up: true,
      };
      this.byId.set(s.id, n);
      return n;
    });
    const total: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
    const unit: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
    for (const n of this.list) {
      for (const k of RESOURCE_KEYS) {
        total[k] += n.capacity[k];
        unit[k] = Math.max(unit[k], n.capacity[k]);
      }
    }
    this.totalCapacity = total;
    this.unitCapacity = unit;
  }

  get nodes(): readonly NodeState[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  node(id: string): NodeState {
    const n = this.byId.get(id);
    if (!n) throw new SchedulingError('UNKNOWN_NODE', `unknown node ${id}`);
    return n;
  }

  fits(nodeIndex: number, req: Resources): boolean {
    const n = this.list[nodeIndex];
    return n !== undefined && n.up && fitsIn(req, n.free);
  }

  /** Per-dimension maximum free amount over live nodes: a cheap necessary condition for fitting. */
  maxFree(): Resources {
    if (!this.maxFreeCache) {
      // Named fields, not a loop over RESOURCE_KEYS: this runs once per decision on a busy cluster and
      // keyed accesses in a loop allocate (boxed numbers, iterators) where named ones do not.
      let c = 0;
      let m = 0;
      let g = 0;
      let io = 0;
      let net = 0;
      for (const n of this.list) {
        if (!n.up) continue;
        const f = n.free;
        if (f.cpuMillis > c) c = f.cpuMillis;
        if (f.memMb > m) m = f.memMb;
        if (f.gpu > g) g = f.gpu;
        if (f.io > io) io = f.io;
        if (f.net > net) net = f.net;
      }
      this.maxFreeCache = { cpuMillis: c, memMb: m, gpu: g, io, net };
    }
    return this.maxFreeCache;
  }

  /** Sum of free resources over live nodes (cached like maxFree): a necessary condition for gangs. */
  freeTotal(): Resources {
    if (!this.freeTotalCache) {
      let c = 0;
      let m = 0;
      let g = 0;
      let io = 0;
      let net = 0;
      for (const n of this.list) {
        if (!n.up) continue;
        const f = n.free;
        c += f.cpuMillis;
        m += f.memMb;
        g += f.gpu;
        io += f.io;
        net += f.net;
      }
      this.freeTotalCache = { cpuMillis: c, memMb: m, gpu: g, io, net };
    }
    return this.freeTotalCache;
  }

  /** True if some live node could host `req` now (exactly `fitsIn` against some live node's free). */
  anyFits(req: Resources): boolean {
    if (!fitsIn(req, this.maxFree())) return false;
    return this.skyline().fits(req);
  }

  /**
   * The free vectors of the live nodes (other than `excluded`) that no other kept node covers in every
   * dimension: a request fits one of them iff it fits some such live node (see FreeSkyline). Cached
   * until the cluster changes when nothing is excluded; built afresh (O(n log n)) otherwise.
   */
  skyline(excluded = -1): FreeSkyline {
    if (excluded < 0 && this.skylineCache) return this.skylineCache;
    const unit = this.unitCapacity;
    // Scratch buffers reused across builds (a build runs once per decision on a busy cluster): node
    // indexes and their normalised totals; only the (small) result is allocated.
    const order = this.skyOrder;
    const total = this.skyTotal.length >= this.list.length ? this.skyTotal : (this.skyTotal = new Float64Array(this.list.length));
    const uc = unit.cpuMillis > 0 ? unit.cpuMillis : 0;
    const um = unit.memMb > 0 ? unit.memMb : 0;
    const ug = unit.gpu > 0 ? unit.gpu : 0;
    const ui = unit.io > 0 ? unit.io : 0;
    const un = unit.net > 0 ? unit.net : 0;
    let count = 0;
    for (const n of this.list) {
      if (!n.up || n.index === excluded) continue;
      const f = n.free;
      // Normalised total free (dimensions without capacity left out).
      const s = (uc ? f.cpuMillis / uc : 0) + (um ? f.memMb / um : 0) + (ug ? f.gpu / ug : 0) + (ui ? f.io / ui : 0) + (un ? f.net / un : 0);
      // Insertion by descending total (n ≤ a few hundred nodes; no comparator closure, no allocation).
      let j = count++;
      while (j > 0 && total[j - 1]! < s) {
        total[j] = total[j - 1]!;
        order[j] = order[j - 1]!;
        j--;
      }
      total[j] = s;
      order[j] = n.index;
    }
    order.length = count;
    // Largest normalised total first: a vector covering another has a total at least as large, so it
    // usually comes first and the dominated one is dropped (correctness does not depend on the order:
    // a node is dropped only when a kept one covers it).
    const v = this.skyScratch.length >= order.length * 5 ? this.skyScratch : (this.skyScratch = new Float64Array(this.list.length * 5));
    let m = 0;
    for (let r = 0; r < count; r++) {
      const f = this.list[order[r]!]!.free;
      let covered = false;
      for (let j = 0; j < m && !covered; j++) {
        const o = j * 5;
        covered = v[o]! >= f.cpuMillis && v[o + 1]! >= f.memMb && v[o + 2]! >= f.gpu && v[o + 3]! >= f.io && v[o + 4]! >= f.net;
      }
      if (covered) continue;
      const o = m * 5;
      v[o] = f.cpuMillis;
      v[o + 1] = f.memMb;
      v[o + 2] = f.gpu;
      v[o + 3] = f.io;
      v[o + 4] = f.net;
      m++;
    }
    const sky = new FreeSkyline(v.slice(0, m * 5), m);
    if (excluded < 0) this.skylineCache = sky;
    return sky;
  }

  allocate(nodeIndex: number, req: Resources): void {
    const n = this.mustGet(nodeIndex);
    if (!n.up || !fitsIn(req, n.free)) {
      throw new SchedulingError('INFEASIBLE', `request does not fit on node ${n.id}`);
    }
    for (const k of RESOURCE_KEYS) {
      n.free[k] -= req[k];
      n.allocated[k] += req[k];
    }
    n.running += 1;
    this.maxFreeCache = null;
    this.freeTotalCache = null;
    this.skylineCache = null;
  }

  release(nodeIndex: number, req: Resources): void {
    const n = this.mustGet(nodeIndex);
    for (const k of RESOURCE_KEYS) {
      n.allocated[k] = Math.max(0, n.allocated[k] - req[k]);
      n.free[k] = Math.min(n.capacity[k], n.free[k] + req[k]);
    }
    n.running = Math.max(0, n.running - 1);
    this.maxFreeCache = null;
    this.freeTotalCache = null;
    this.skylineCache = null;
  }

  setUp(nodeIndex: number, up: boolean): void {
    this.mustGet(nodeIndex).up = up;
    this.maxFreeCache = null;
    this.freeTotalCache = null;
    this.skylineCache = null;
  }

  /** Sum of allocations over live nodes. */
  allocatedTotal(): Resources {
    const t: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
    for (const n of this.list) for (const k of RESOURCE_KEYS) t[k] += n.allocated[k];
    return t;
  }

  private mustGet(i: number): MutableNode {
    const n = this.list[i];
    if (!n) throw new SchedulingError('UNKNOWN_NODE', `unknown node index ${i}`);
    return n;
  }
}

/**
 * Pareto-maximal free vectors of a set of live nodes. Node x is left out only when a kept vector y has
 * y ≥ x in every dimension, and then `req ≤ x + ε ⇒ req ≤ y + ε`: `fits(req)` is exactly "some node of
 * the set passes fitsIn(req, node.free)", with the same ε, in a tight loop over typically a fifth of
 * the nodes of a busy cluster. Lets a policy skip the placement walk (100 nodes) for the many queued
 * tasks that fit nowhere, without changing a decision.
 */
export class FreeSkyline {
  constructor(
    private readonly v: Float64Array,
    readonly size: number,
  ) {}

  fits(req: Resources): boolean {
    const v = this.v;
    const c = req.cpuMillis;
    const m = req.memMb;
    const g = req.gpu;
    const io = req.io;
    const net = req.net;
    for (let j = 0, o = 0; j < this.size; j++, o += 5) {
      if (c <= v[o]! + 1e-9 && m <= v[o + 1]! + 1e-9 && g <= v[o + 2]! + 1e-9 && io <= v[o + 3]! + 1e-9 && net <= v[o + 4]! + 1e-9) return true;
    }
    return false;
  }

  /** fits() of the request packed at rq[o…o+4] (RankedIndex.packedRequests). */
  fitsAt(rq: Float64Array, o: number): boolean {
    const v = this.v;
    const c = rq[o]!;
    const m = rq[o + 1]!;
    const g = rq[o + 2]!;
    const io = rq[o + 3]!;
    const net = rq[o + 4]!;
    for (let j = 0, p = 0; j < this.size; j++, p += 5) {
      if (c <= v[p]! + 1e-9 && m <= v[p + 1]! + 1e-9 && g <= v[p + 2]! + 1e-9 && io <= v[p + 3]! + 1e-9 && net <= v[p + 4]! + 1e-9) return true;
    }
    return false;
  }
}

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
      const m: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
      for (const n of this.list) {
        if (!n.up) continue;
        for (const k of RESOURCE_KEYS) if (n.free[k] > m[k]) m[k] = n.free[k];
      }
      this.maxFreeCache = m;
    }
    return this.maxFreeCache;
  }

  /** Sum of free resources over live nodes (cached like maxFree): a necessary condition for gangs. */
  freeTotal(): Resources {
    if (!this.freeTotalCache) {
      const m: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
      for (const n of this.list) {
        if (!n.up) continue;
        for (const k of RESOURCE_KEYS) m[k] += n.free[k];
      }
      this.freeTotalCache = m;
    }
    return this.freeTotalCache;
  }

  /** True if some live node could host `req` now. */
  anyFits(req: Resources): boolean {
    if (!fitsIn(req, this.maxFree())) return false;
    for (const n of this.list) if (n.up && fitsIn(req, n.free)) return true;
    return false;
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
  }

  setUp(nodeIndex: number, up: boolean): void {
    this.mustGet(nodeIndex).up = up;
    this.maxFreeCache = null;
    this.freeTotalCache = null;
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

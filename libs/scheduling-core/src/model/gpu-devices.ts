import { SchedulingError } from './errors';

/**
 * Which GPU devices of one node are free. ClusterState counts GPUs (`gpu` dimension); this says
 * *which* ones an attempt gets, so the runner can hand it exactly those (CUDA_VISIBLE_DEVICES).
 * Deterministic: the lowest free device indices first, so the same sequence of allocations and
 * releases always yields the same devices (replays and tests can check them).
 */
export class GpuDeviceAllocator {
  private readonly devices: readonly number[];
  private readonly owner = new Map<number, string>();
  private readonly held = new Map<string, readonly number[]>();

  constructor(devices: readonly number[]) {
    const sorted = [...new Set(devices)].sort((a, b) => a - b);
    if (sorted.length !== devices.length || sorted.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new SchedulingError('INVALID_NODE', `GPU devices must be distinct non-negative integers, got [${devices.join(', ')}]`);
    }
    this.devices = sorted;
  }

  get total(): number {
    return this.devices.length;
  }

  get free(): number {
    return this.devices.length - this.owner.size;
  }

  /** Every device of the node, ascending. */
  get all(): readonly number[] {
    return this.devices;
  }

  /** The devices no lease holds, ascending (what `allocate` picks from, lowest first). */
  freeDevices(): number[] {
    return this.devices.filter((d) => !this.owner.has(d));
  }

  /** The devices `lease` holds ([] if none). */
  devicesOf(lease: string): readonly number[] {
    return this.held.get(lease) ?? [];
  }

  /** Gives `lease` `count` free devices (lowest first), or null when fewer are free. */
  allocate(lease: string, count: number): readonly number[] | null {
    if (!Number.isInteger(count) || count < 0) throw new SchedulingError('INVALID_ARGUMENT', `GPU count must be a non-negative integer, got ${count}`);
    if (this.held.has(lease)) throw new SchedulingError('INVALID_ARGUMENT', `lease ${lease} already holds GPUs`);
    if (count > this.free) return null;
    const got: number[] = [];
    for (const d of this.devices) {
      if (got.length === count) break;
      if (!this.owner.has(d)) got.push(d);
    }
    for (const d of got) this.owner.set(d, lease);
    this.held.set(lease, got);
    return got;
  }

  /** Frees what `lease` holds; returns those devices ([] for an unknown lease: releasing twice is harmless). */
  release(lease: string): readonly number[] {
    const got = this.held.get(lease) ?? [];
    for (const d of got) this.owner.delete(d);
    this.held.delete(lease);
    return got;
  }
}

/** One allocator per node index (nodes without GPUs get an empty one). */
export class GpuDevicePool {
  private readonly nodes: GpuDeviceAllocator[];

  constructor(devicesPerNode: ReadonlyArray<readonly number[]>) {
    this.nodes = devicesPerNode.map((d) => new GpuDeviceAllocator(d));
  }

  /** Node n with devices 0..count-1 for each count (the common case: whole hosts). */
  static ofCounts(counts: readonly number[]): GpuDevicePool {
    return new GpuDevicePool(counts.map((c) => Array.from({ length: c }, (_, i) => i)));
  }

  node(index: number): GpuDeviceAllocator {
    const n = this.nodes[index];
    if (!n) throw new SchedulingError('UNKNOWN_NODE', `unknown node index ${index}`);
    return n;
  }
}

import type { ClusterState } from '../model/cluster-state';
import type { Task } from '../model/task.model';
import { NO_NODE, type PlacementStrategy } from './placement-strategy';

/** 32-bit FNV-1a. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Sticky placement: the task's affinity key (default: its job) hashes onto a ring of virtual
 * nodes; we walk clockwise to the first node that is up and fits, so a key keeps its node while
 * it has room and only keys of a lost node move.
 */
export class ConsistentHashPlacement implements PlacementStrategy {
  readonly name = 'consistent-hash';
  private ring: { hash: number; node: number }[] = [];
  private ringFor = -1;

  constructor(private readonly virtualNodes = 64) {}

  choose(task: Task, cluster: ClusterState): number {
    this.ensureRing(cluster);
    const ring = this.ring;
    if (ring.length === 0) return NO_NODE;
    const h = fnv1a(task.affinityKey ?? task.jobId);
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ring[mid]?.hash ?? 0) < h) lo = mid + 1;
      else hi = mid;
    }
    const seen = new Set<number>();
    for (let i = 0; i < ring.length && seen.size < cluster.size; i++) {
      const node = ring[(lo + i) % ring.length]?.node ?? NO_NODE;
      if (seen.has(node)) continue;
      seen.add(node);
      if (cluster.fits(node, task.request)) return node;
    }
    return NO_NODE;
  }

  committed(): void {}

  private ensureRing(cluster: ClusterState): void {
    if (this.ringFor === cluster.size) return;
    this.ring = [];
    for (const n of cluster.nodes) {
      for (let v = 0; v < this.virtualNodes; v++) this.ring.push({ hash: fnv1a(`${n.id}#${v}`), node: n.index });
    }
    this.ring.sort((a, b) => a.hash - b.hash || a.node - b.node);
    this.ringFor = cluster.size;
  }
}

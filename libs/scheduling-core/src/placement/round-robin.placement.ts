import type { ClusterState } from '../model/cluster-state';
import type { Task } from '../model/task.model';
import { NO_NODE, type PlacementStrategy } from './placement-strategy';

/** Next fitting node after the last one used. */
export class RoundRobinPlacement implements PlacementStrategy {
  readonly name = 'round-robin';
  private cursor = 0;

  choose(task: Task, cluster: ClusterState): number {
    const n = cluster.size;
    for (let i = 0; i < n; i++) {
      const idx = (this.cursor + i) % n;
      if (cluster.fits(idx, task.request)) return idx;
    }
    return NO_NODE;
  }

  committed(nodeIndex: number): void {
    this.cursor = nodeIndex + 1;
  }
}

/** Smooth weighted round robin (nginx's algorithm) restricted to nodes that fit. */
export class WeightedRoundRobinPlacement implements PlacementStrategy {
  readonly name = 'weighted-round-robin';
  /** `choose` stores the pending choice (or clears it on -1): policies must not skip a call. */
  readonly statefulChoose = true;
  private current: number[] = [];
  private pending: { idx: number; total: number; snapshot: number[] } | null = null;

  choose(task: Task, cluster: ClusterState): number {
    if (this.current.length !== cluster.size) this.current = new Array<number>(cluster.size).fill(0);
    const next = this.current.slice();
    let best = NO_NODE;
    let total = 0;
    const nodes = cluster.nodes;
    for (let i = 0; i < nodes.length; i++) {
      if (!cluster.fits(i, task.request)) continue;
      const w = nodes[i]?.weight ?? 1;
      next[i] = (next[i] ?? 0) + w;
      total += w;
      if (best === NO_NODE || (next[i] ?? 0) > (next[best] ?? 0)) best = i;
    }
    this.pending = best === NO_NODE ? null : { idx: best, total, snapshot: next };
    return best;
  }

  committed(nodeIndex: number): void {
    if (!this.pending || this.pending.idx !== nodeIndex) return;
    const s = this.pending.snapshot;
    s[nodeIndex] = (s[nodeIndex] ?? 0) - this.pending.total;
    this.current = s;
    this.pending = null;
  }
}

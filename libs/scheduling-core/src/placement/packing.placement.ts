import type { ClusterState } from '../model/cluster-state';
import { RESOURCE_KEYS, alignment } from '../model/resources';
import type { Task } from '../model/task.model';
import { NO_NODE, type PlacementStrategy } from './placement-strategy';

/** Tetris: fitting node maximising the dot product of normalised request and free vectors. */
export class TetrisPlacement implements PlacementStrategy {
  readonly name = 'tetris';
  choose(task: Task, cluster: ClusterState): number {
    let best = NO_NODE;
    let bestScore = -Infinity;
    const unit = cluster.unitCapacity;
    for (const n of cluster.nodes) {
      if (!cluster.fits(n.index, task.request)) continue;
      const s = alignment(task.request, n.free, unit);
      if (s > bestScore + 1e-12) {
        best = n.index;
        bestScore = s;
      }
    }
    return best;
  }
  committed(): void {}
}

/**
 * Multi-resource best fit: fitting node with the least normalised free space left after placing
 * the instance, which keeps big holes open for big tasks (less fragmentation).
 */
export class BestFitPlacement implements PlacementStrategy {
  readonly name = 'best-fit';
  choose(task: Task, cluster: ClusterState): number {
    let best = NO_NODE;
    let bestLeft = Infinity;
    const unit = cluster.unitCapacity;
    const req = task.request;
    for (const n of cluster.nodes) {
      if (!cluster.fits(n.index, req)) continue;
      let left = 0;
      for (const k of RESOURCE_KEYS) if (unit[k] > 0) left += (n.free[k] - req[k]) / unit[k];
      if (left < bestLeft - 1e-12) {
        best = n.index;
        bestLeft = left;
      }
    }
    return best;
  }
  committed(): void {}
}

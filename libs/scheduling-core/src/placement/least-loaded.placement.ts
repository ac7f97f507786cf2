import type { ClusterState } from '../model/cluster-state';
import { dominantShare } from '../model/resources';
import type { Task } from '../model/task.model';
import { NO_NODE, type PlacementStrategy } from './placement-strategy';

/** Fitting node whose dominant allocated share is lowest (ties: fewer running instances, lower index). */
export class LeastLoadedPlacement implements PlacementStrategy {
  readonly name = 'least-loaded';
  choose(task: Task, cluster: ClusterState): number {
    let best = NO_NODE;
    let bestLoad = Infinity;
    let bestRunning = Infinity;
    for (const n of cluster.nodes) {
      if (!cluster.fits(n.index, task.request)) continue;
      const load = dominantShare(n.allocated, n.capacity);
      if (load < bestLoad - 1e-12 || (Math.abs(load - bestLoad) <= 1e-12 && n.running < bestRunning)) {
        best = n.index;
        bestLoad = load;
        bestRunning = n.running;
      }
    }
    return best;
  }
  committed(): void {}
}

/** Fitting node with the fewest running instances (least connections). */
export class LeastConnectionsPlacement implements PlacementStrategy {
  readonly name = 'least-connections';
  choose(task: Task, cluster: ClusterState): number {
    let best = NO_NODE;
    let bestRunning = Infinity;
    for (const n of cluster.nodes) {
      if (n.running < bestRunning && cluster.fits(n.index, task.request)) {
        best = n.index;
        bestRunning = n.running;
      }
    }
    return best;
  }
  committed(): void {}
}

import type { ClusterState } from '../model/cluster-state';
import type { Task } from '../model/task.model';

/**
 * Chooses a node for one instance of a task. `choose` does not mutate the cluster; `committed`
 * tells stateful strategies (round-robin cursors) that the caller really used the choice.
 */
export interface PlacementStrategy {
  readonly name: string;
  /** Index of a live node that fits one instance of `task`, or -1 when none does. */
  choose(task: Task, cluster: ClusterState): number;
  committed(nodeIndex: number): void;
  /**
   * True when `choose` itself changes the strategy's state (even when it returns -1), so a policy must
   * call it exactly as before and may not skip a call it knows would return -1 (ClusterState.skyline).
   */
  readonly statefulChoose?: boolean;
}

export const NO_NODE = -1;

/**
 * Places all `count` instances of a gang at once, or none: allocates tentatively so later
 * instances see earlier ones, then rolls back. Returns the node indexes or null.
 */
export function placeGang(task: Task, count: number, cluster: ClusterState, placement: PlacementStrategy): number[] | null {
  const chosen: number[] = [];
  let ok = true;
  for (let i = 0; i < count; i++) {
    const n = placement.choose(task, cluster);
    if (n === NO_NODE) {
      ok = false;
      break;
    }
    cluster.allocate(n, task.request);
    chosen.push(n);
  }
  for (const n of chosen) cluster.release(n, task.request);
  return ok ? chosen : null;
}

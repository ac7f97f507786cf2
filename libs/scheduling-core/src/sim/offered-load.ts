import { SchedulingError } from '../model/errors';
import type { NodeSpec } from '../model/node.model';
import { RESOURCE_KEYS, ZERO_RESOURCES, type MutableResources, type ResourceKey, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import type { RealisedDurations } from './duration-noise';

/**
 * Offered load by the usual definition (../shared/BENCHMARKS.md "Offered load"):
 *
 *     ρ_r = Σ_tasks Σ_instances duration × request_r ÷ (capacity_r × arrival window)
 *
 * on the bottleneck resource r (the largest ρ_r); the arrival window runs from the first to the last
 * arrival (at least 1 s). Durations are the realised per-instance run times. `inWindow` is the figure
 * this project reported until 2026-11 — only the part of each instance's run inside the arrival window
 * counted — kept to compare with old runs: on a heavy-tailed trace it is much lower (the shipped
 * Alibaba slice's "0.905" was ρ ≈ 1.26).
 */
export interface OfferedLoad {
  readonly rho: number;
  readonly bottleneck: ResourceKey;
  readonly byResource: Resources;
  readonly inWindow: number;
  readonly inWindowByResource: Resources;
  readonly firstArrival: number;
  readonly lastArrival: number;
  readonly windowSeconds: number;
}

interface Work {
  readonly total: Resources;
  readonly inWindow: Resources;
  readonly first: number;
  readonly last: number;
  readonly window: number;
}

function work(tasks: readonly Task[], durations: RealisedDurations): Work {
  if (tasks.length === 0) throw new SchedulingError('INVALID_ARGUMENT', 'offered load of an empty workload');
  if (durations.offsets.length !== tasks.length + 1) throw new SchedulingError('INVALID_ARGUMENT', 'realised durations do not belong to these tasks');
  let first = Infinity;
  let last = -Infinity;
  for (const t of tasks) {
    first = Math.min(first, t.arrival);
    last = Math.max(last, t.arrival);
  }
  const window = Math.max(1, last - first);
  const total: MutableResources = { ...ZERO_RESOURCES };
  const inWindow: MutableResources = { ...ZERO_RESOURCES };
  tasks.forEach((t, k) => {
    let sum = 0;
    let sumIn = 0;
    for (let i = durations.offsets[k] as number; i < (durations.offsets[k + 1] as number); i++) {
      const d = durations.seconds[i] as number;
      sum += d;
      sumIn += Math.max(0, Math.min(last, t.arrival + d) - t.arrival);
    }
    for (const r of RESOURCE_KEYS) {
      total[r] += t.request[r] * sum;
      inWindow[r] += t.request[r] * (last > first ? sumIn : sum);
    }
  });
  return { total, inWindow, first, last, window };
}

function ratios(w: Resources, capacity: Resources, window: number): { by: Resources; max: number; key: ResourceKey } {
  const by: MutableResources = { ...ZERO_RESOURCES };
  let max = 0;
  let key: ResourceKey = 'cpuMillis';
  for (const r of RESOURCE_KEYS) {
    by[r] = capacity[r] > 0 ? w[r] / (capacity[r] * window) : 0;
    if (by[r] > max) {
      max = by[r];
      key = r;
    }
  }
  return { by, max, key };
}

/** ρ of `tasks` (with their realised durations) on a cluster of total `capacity`. */
export function offeredLoad(tasks: readonly Task[], durations: RealisedDurations, capacity: Resources): OfferedLoad {
  const w = work(tasks, durations);
  const u = ratios(w.total, capacity, w.window);
  const o = ratios(w.inWindow, capacity, w.window);
  return {
    rho: u.max,
    bottleneck: u.key,
    byResource: u.by,
    inWindow: o.max,
    inWindowByResource: o.by,
    firstArrival: w.first,
    lastArrival: w.last,
    windowSeconds: w.window,
  };
}

/**
 * The homogeneous cluster of `machine`s for offered load `load` (usual definition): the largest node
 * count whose ρ is still ≥ `load` (so "load 0.9" never means 0.899), at least one node. ρ is
 * returned as measured on that cluster.
 */
export function sizeCluster(
  tasks: readonly Task[],
  durations: RealisedDurations,
  load: number,
  machine: Resources,
  labels: Readonly<Record<string, string>> = { pool: 'batch' },
): { nodes: NodeSpec[]; offered: OfferedLoad } {
  if (!(load > 0) || !Number.isFinite(load)) throw new SchedulingError('INVALID_ARGUMENT', `load must be a positive number, got ${load}`);
  const w = work(tasks, durations);
  let exact = 0;
  for (const r of RESOURCE_KEYS) if (machine[r] > 0) exact = Math.max(exact, w.total[r] / (load * w.window * machine[r]));
  // 1e-9: a node count that hits the target exactly is not lost to float rounding.
  const count = Math.max(1, Math.floor(exact + 1e-9));
  const nodes: NodeSpec[] = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, capacity: machine, labels }));
  const capacity: MutableResources = { ...ZERO_RESOURCES };
  for (const r of RESOURCE_KEYS) capacity[r] = machine[r] * count;
  return { nodes, offered: offeredLoad(tasks, durations, capacity) };
}

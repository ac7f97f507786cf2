import { Dag, DagEdge, dagFromEdges } from './dag.model';

export interface TransitiveReduction {
  readonly dag: Dag;
  /** Edges implied by a longer path (u -> v when u -> w ->* v exists). */
  readonly removed: readonly DagEdge[];
}

/** Removes every edge implied by another path. Bitset reachability: O(V * E / 32). */
export function transitiveReduction(dag: Dag): TransitiveReduction {
  const n = dag.ids.length;
  const words = Math.ceil(n / 32);
  const reach: Uint32Array[] = new Array<Uint32Array>(n);
  const pos = new Int32Array(n);
  dag.topo.forEach((u, i) => (pos[u] = i));
  const redundant = new Set<string>();
  for (let k = n - 1; k >= 0; k--) {
    const u = dag.topo[k];
    const r = new Uint32Array(words);
    // Children in topological order: a child reachable from an earlier child is implied.
    const children = [...dag.succs[u]].sort((a, b) => pos[a] - pos[b]);
    for (const v of children) {
      if ((r[v >>> 5] & (1 << (v & 31))) !== 0) {
        redundant.add(`${u},${v}`);
        continue;
      }
      r[v >>> 5] |= 1 << (v & 31);
      const rv = reach[v];
      for (let w = 0; w < words; w++) r[w] |= rv[w];
    }
    reach[u] = r;
  }
  const kept: DagEdge[] = [];
  const removed: DagEdge[] = [];
  for (const e of dag.edges) {
    const key = `${dag.indexOf.get(e.from)},${dag.indexOf.get(e.to)}`;
    (redundant.has(key) ? removed : kept).push(e);
  }
  return { dag: dagFromEdges(dag.ids, dag.durations, kept), removed };
}

export interface CriticalPath {
  /** Sum of durations along the longest path (seconds). */
  readonly length: number;
  readonly path: readonly string[];
  /** Earliest start of each task with unlimited machines (index-aligned with dag.ids). */
  readonly earliestStart: readonly number[];
}

/** Longest path by task durations (no communication cost); `durations` overrides dag.durations. */
export function criticalPath(dag: Dag, durations: readonly number[] = dag.durations): CriticalPath {
  const n = dag.ids.length;
  const est = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  for (const u of dag.topo) {
    for (const p of dag.preds[u]) {
      const f = est[p] + durations[p];
      if (f > est[u]) {
        est[u] = f;
        via[u] = p;
      }
    }
  }
  let end = -1;
  let length = 0;
  for (let u = 0; u < n; u++) {
    const f = est[u] + durations[u];
    if (end < 0 || f > length) {
      length = f;
      end = u;
    }
  }
  const path: string[] = [];
  for (let u = end; u >= 0; u = via[u]) path.push(dag.ids[u]);
  return { length, path: path.reverse(), earliestStart: Array.from(est) };
}

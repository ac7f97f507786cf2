import { DagCycleError, DagError } from './dag.errors';

/** A task as submitted: explicit dependencies plus declared file inputs/outputs. */
export interface DagTaskSpec {
  readonly id: string;
  readonly dependsOn?: readonly string[];
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** Expected run time in seconds (used by critical path and schedulers); defaults to 0. */
  readonly duration?: number;
}

export type DagEdgeOrigin = 'explicit' | 'file' | 'both';

export interface DagEdge {
  readonly from: string;
  readonly to: string;
  readonly origin: DagEdgeOrigin;
  /** Files produced by `from` and consumed by `to` (empty for purely explicit edges). */
  readonly files: readonly string[];
}

/** An immutable, validated, acyclic task graph. Nodes are addressed by index for speed. */
export interface Dag {
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly preds: readonly (readonly number[])[];
  readonly succs: readonly (readonly number[])[];
  readonly durations: readonly number[];
  readonly edges: readonly DagEdge[];
  /** A topological order (Kahn; among ready tasks the lowest submission index first). */
  readonly topo: readonly number[];
}

export interface BuildDagOptions {
  /** Add A -> B when B declares an input that A declares as output (default true). */
  readonly inferFromFiles?: boolean;
}

/** Producer -> consumer edges implied by declared files; self-loops (a task reading its own output) are dropped. */
export function inferFileEdges(specs: readonly DagTaskSpec[]): DagEdge[] {
  const producers = new Map<string, string[]>();
  for (const s of specs) {
    for (const f of s.outputs ?? []) {
      const list = producers.get(f);
      if (list) {
        if (!list.includes(s.id)) list.push(s.id);
      } else producers.set(f, [s.id]);
    }
  }
  const byPair = new Map<string, { from: string; to: string; files: string[] }>();
  for (const s of specs) {
    for (const f of s.inputs ?? []) {
      for (const p of producers.get(f) ?? []) {
        if (p === s.id) continue;
        const key = `${p}\u0000${s.id}`;
        const e = byPair.get(key);
        if (e) {
          if (!e.files.includes(f)) e.files.push(f);
        } else byPair.set(key, { from: p, to: s.id, files: [f] });
      }
    }
  }
  return [...byPair.values()].map((e) => ({ ...e, origin: 'file' as const }));
}

/** Validates specs and builds the graph; throws DagError (or DagCycleError with the cycle in order). */
export function buildDag(specs: readonly DagTaskSpec[], options: BuildDagOptions = {}): Dag {
  const ids = specs.map((s) => s.id);
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => {
    if (indexOf.has(id)) throw new DagError('duplicate_task', `duplicate task id "${id}"`);
    indexOf.set(id, i);
  });
  const durations = specs.map((s) => {
    const d = s.duration ?? 0;
    if (!Number.isFinite(d) || d < 0) throw new DagError('invalid_duration', `task "${s.id}": duration ${d} is not a finite number >= 0`);
    return d;
  });

  const edgeMap = new Map<string, { from: string; to: string; origin: DagEdgeOrigin; files: readonly string[] }>();
  for (const s of specs) {
    for (const dep of s.dependsOn ?? []) {
      if (!indexOf.has(dep)) throw new DagError('unknown_dependency', `task "${s.id}" depends on unknown task "${dep}"`);
      if (dep === s.id) throw new DagError('self_dependency', `task "${s.id}" depends on itself`);
      edgeMap.set(`${dep}\u0000${s.id}`, { from: dep, to: s.id, origin: 'explicit', files: [] });
    }
  }
  if (options.inferFromFiles ?? true) {
    for (const e of inferFileEdges(specs)) {
      const key = `${e.from}\u0000${e.to}`;
      const existing = edgeMap.get(key);
      edgeMap.set(key, existing ? { ...existing, origin: 'both', files: e.files } : e);
    }
  }
  return dagFromEdges(ids, durations, [...edgeMap.values()]);
}

/** Assembles a Dag from already-validated ids/edges; checks for cycles. */
export function dagFromEdges(ids: readonly string[], durations: readonly number[], edges: readonly DagEdge[]): Dag {
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => indexOf.set(id, i));
  const preds: number[][] = ids.map(() => []);
  const succs: number[][] = ids.map(() => []);
  for (const e of edges) {
    const from = indexOf.get(e.from);
    const to = indexOf.get(e.to);
    if (from === undefined || to === undefined) {
      throw new DagError('unknown_dependency', `edge ${e.from} -> ${e.to} names an unknown task`);
    }
    preds[to].push(from);
    succs[from].push(to);
  }
  const cycle = findCycle(succs);
  if (cycle) throw new DagCycleError(cycle.map((i) => ids[i]));
  return { ids, indexOf, preds, succs, durations, edges, topo: kahn(preds, succs) };
}

function kahn(preds: readonly (readonly number[])[], succs: readonly (readonly number[])[]): number[] {
  const indeg = preds.map((p) => p.length);
  // Min-heap on index: among ready tasks the earliest submitted goes first, so orders are predictable.
  const heap: number[] = [];
  const push = (v: number): void => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= heap[i]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  indeg.forEach((d, i) => d === 0 && push(i));
  const order: number[] = [];
  while (heap.length > 0) {
    const u = pop();
    order.push(u);
    for (const v of succs[u]) {
      indeg[v] -= 1;
      if (indeg[v] === 0) push(v);
    }
  }
  return order;
}

/** Returns one cycle as node indices in edge order with the first node repeated at the end, or null. */
export function findCycle(succs: readonly (readonly number[])[]): number[] | null {
  const n = succs.length;
  const color = new Uint8Array(n); // 0 white, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  const nextChild = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (color[root] !== 0) continue;
    const stack = [root];
    color[root] = 1;
    while (stack.length > 0) {
      const u = stack[stack.length - 1];
      if (nextChild[u] < succs[u].length) {
        const v = succs[u][nextChild[u]++];
        if (color[v] === 0) {
          color[v] = 1;
          parent[v] = u;
          stack.push(v);
        } else if (color[v] === 1) {
          const cycle = [v];
          for (let w = u; w !== v; w = parent[w]) cycle.push(w);
          cycle.push(v);
          return cycle.reverse();
        }
      } else {
        color[u] = 2;
        stack.pop();
      }
    }
  }
  return null;
}

export function topologicalOrder(dag: Dag): string[] {
  return dag.topo.map((i) => dag.ids[i]);
}

export function requireIndex(dag: Dag, id: string): number {
  const i = dag.indexOf.get(id);
  if (i === undefined) throw new DagError('unknown_task', `unknown task "${id}"`);
  return i;
}

/** All nodes reachable from `starts` (excluding the starts themselves unless reachable from another start). */
export function descendantsOf(dag: Dag, starts: readonly number[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...starts];
  while (stack.length > 0) {
    const u = stack.pop() as number;
    for (const v of dag.succs[u]) {
      if (!seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
    }
  }
  return seen;
}

import highsLoader from 'highs';
import { SchedulingError } from '../model/errors';
import { RESOURCE_KEYS, type MutableResources, type Resources } from '../model/resources';

export interface AllocationTask {
  readonly id: string;
  /** Node the task is already placed on. */
  readonly node: string;
  /** Priority weight (> 0). */
  readonly weight: number;
  /** Guaranteed minimum and ceiling per resource. */
  readonly min: Resources;
  readonly max: Resources;
}

export interface AllocationProblem {
  readonly nodes: readonly { readonly id: string; readonly capacity: Resources }[];
  readonly tasks: readonly AllocationTask[];
}

export interface AllocationResult {
  readonly objective: number;
  /** Per task: s ∈ [0, 1] (how far between min and max it got) and the resulting amounts. */
  readonly shares: ReadonlyMap<string, number>;
  readonly amounts: ReadonlyMap<string, Resources>;
}

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let solverPromise: Promise<Highs> | null = null;
const solver = (): Promise<Highs> => (solverPromise ??= highsLoader());

/**
 * Builds the LP in CPLEX LP format. One variable per task, s_i ∈ [0, 1]; task i receives
 * min_i + s_i·(max_i − min_i) of every resource (resources scale together, as a container's
 * quota does). Maximise Σ weight_i·s_i subject to, per node and resource, Σ allocations ≤ capacity.
 */
export function buildAllocationLp(p: AllocationProblem): string {
  const nodeIds = new Set(p.nodes.map((n) => n.id));
  const lines: string[] = ['Maximize', ` obj: ${p.tasks.map((t, i) => `${fmt(t.weight)} s${i}`).join(' + ') || '0 s0'}`, 'Subject To'];
  p.tasks.forEach((t) => {
    if (!nodeIds.has(t.node)) throw new SchedulingError('UNKNOWN_NODE', `allocation task ${t.id} is on unknown node ${t.node}`);
    if (!(t.weight > 0)) throw new SchedulingError('INVALID_ARGUMENT', `allocation task ${t.id}: weight must be positive`);
    for (const k of RESOURCE_KEYS) {
      if (t.min[k] > t.max[k]) throw new SchedulingError('INVALID_ARGUMENT', `allocation task ${t.id}: min.${k} > max.${k}`);
    }
  });
  let rows = 0;
  for (const n of p.nodes) {
    for (const k of RESOURCE_KEYS) {
      const terms: string[] = [];
      let fixed = 0;
      p.tasks.forEach((t, i) => {
        if (t.node !== n.id) return;
        fixed += t.min[k];
        const span = t.max[k] - t.min[k];
        if (span > 0) terms.push(`${fmt(span)} s${i}`);
      });
      const room = n.capacity[k] - fixed;
      if (room < -1e-9) {
        throw new SchedulingError('INFEASIBLE', `node ${n.id}: minimum ${k} of its tasks (${fixed}) exceeds capacity ${n.capacity[k]}`);
      }
      if (terms.length > 0) {
        lines.push(` c${rows++}: ${terms.join(' + ')} <= ${fmt(room)}`);
      }
    }
  }
  if (rows === 0) lines.push(' c0: 0 s0 >= 0');
  lines.push('Bounds');
  p.tasks.forEach((_, i) => lines.push(` 0 <= s${i} <= 1`));
  if (p.tasks.length === 0) lines.push(' 0 <= s0 <= 0');
  lines.push('End');
  return lines.join('\n');
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(12);
}

/** Solves the allocation LP with HiGHS (WebAssembly). */
export async function allocateResources(p: AllocationProblem): Promise<AllocationResult> {
  const lp = buildAllocationLp(p);
  const highs = await solver();
  const res = highs.solve(lp, { output_flag: false });
  if (res.Status !== 'Optimal') throw new SchedulingError('SOLVER_FAILED', `HiGHS ended with status ${res.Status}`);
  const shares = new Map<string, number>();
  const amounts = new Map<string, Resources>();
  p.tasks.forEach((t, i) => {
    const col = res.Columns[`s${i}`];
    // HiGHS drops columns that appear nowhere; such a task has nothing to share, so s = 1.
    const s = Math.min(1, Math.max(0, col ? col.Primal : 1));
    shares.set(t.id, s);
    const a: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
    for (const k of RESOURCE_KEYS) a[k] = t.min[k] + s * (t.max[k] - t.min[k]);
    amounts.set(t.id, a);
  });
  return { objective: res.ObjectiveValue, shares, amounts };
}

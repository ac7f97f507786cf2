import { DagError } from './dag.errors';
import { Dag, descendantsOf, requireIndex } from './dag.model';

/** `cancelled`: the run was cancelled before the task finished (it was pending or running then). */
export type DagTaskStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'upstream_failed' | 'cancelled';

export interface DagTaskRunState {
  readonly status: DagTaskStatus;
  /** Attempts started so far in this run. */
  readonly attempts: number;
}

/** Immutable state of one workflow run; every transition returns a new object. */
export interface DagRunState {
  readonly dag: Dag;
  /** Index-aligned with dag.ids. */
  readonly tasks: readonly DagTaskRunState[];
  /** Attempts allowed per task before a retryable failure becomes terminal. */
  readonly maxAttempts: number;
}

export type DagTaskOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly retryable: boolean };

export type DagRunStatus = 'running' | 'succeeded' | 'failed';

export function startRun(dag: Dag, maxAttempts = 1): DagRunState {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new DagError('invalid_transition', `maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  return { dag, maxAttempts, tasks: dag.ids.map(() => ({ status: 'pending', attempts: 0 })) };
}

/** Pending tasks whose every predecessor succeeded, in topological order. */
export function nextRunnable(state: DagRunState): string[] {
  const { dag, tasks } = state;
  return dag.topo
    .filter((u) => tasks[u].status === 'pending' && dag.preds[u].every((p) => tasks[p].status === 'succeeded'))
    .map((u) => dag.ids[u]);
}

export function markStarted(state: DagRunState, taskId: string): DagRunState {
  const u = requireIndex(state.dag, taskId);
  const t = state.tasks[u];
  const runnable = t.status === 'pending' && state.dag.preds[u].every((p) => state.tasks[p].status === 'succeeded');
  if (!runnable) throw new DagError('invalid_transition', `task "${taskId}" is ${t.status} and cannot start`);
  return withTasks(state, new Map([[u, { status: 'running', attempts: t.attempts + 1 }]]));
}

/**
 * Records the outcome of a running task. A retryable failure with attempts left returns the task to
 * pending; a terminal failure marks every not-yet-finished descendant `upstream_failed`.
 */
export function applyResult(state: DagRunState, taskId: string, outcome: DagTaskOutcome): DagRunState {
  const u = requireIndex(state.dag, taskId);
  const t = state.tasks[u];
  if (t.status !== 'running') throw new DagError('invalid_transition', `task "${taskId}" is ${t.status}, not running`);
  if (outcome.kind === 'succeeded') return withTasks(state, new Map([[u, { status: 'succeeded', attempts: t.attempts }]]));
  if (outcome.retryable && t.attempts < state.maxAttempts) {
    return withTasks(state, new Map([[u, { status: 'pending', attempts: t.attempts }]]));
  }
  const changes = new Map<number, DagTaskRunState>([[u, { status: 'failed', attempts: t.attempts }]]);
  for (const d of descendantsOf(state.dag, [u])) {
    const s = state.tasks[d];
    if (s.status === 'pending') changes.set(d, { status: 'upstream_failed', attempts: s.attempts });
  }
  return withTasks(state, changes);
}

/** 'failed' once nothing more can run and some task failed; 'succeeded' when all succeeded. */
export function runStatus(state: DagRunState): DagRunStatus {
  const statuses = state.tasks.map((t) => t.status);
  if (statuses.every((s) => s === 'succeeded')) return 'succeeded';
  if (statuses.includes('running') || nextRunnable(state).length > 0) return 'running';
  return 'failed';
}

export interface RerunPlan {
  /** Tasks that will run again (failed, upstream_failed, interrupted, forced, and their downstream). */
  readonly rerun: readonly string[];
  /** Succeeded tasks whose results are reused. */
  readonly kept: readonly string[];
  /** A fresh run state: kept tasks succeeded, the rest pending with zero attempts. */
  readonly state: DagRunState;
}

/**
 * Partial re-run from a checkpoint: everything not succeeded (including tasks that were running when
 * the checkpoint was taken), any task in `force`, and all their descendants run again; other succeeded
 * results are kept.
 */
export function planRerun(checkpoint: DagRunState, force: readonly string[] = []): RerunPlan {
  const { dag } = checkpoint;
  const roots = new Set<number>(force.map((id) => requireIndex(dag, id)));
  checkpoint.tasks.forEach((t, u) => t.status !== 'succeeded' && roots.add(u));
  const again = descendantsOf(dag, [...roots]);
  for (const r of roots) again.add(r);
  const tasks: DagTaskRunState[] = dag.ids.map((_, u) => ({ status: again.has(u) ? 'pending' : 'succeeded', attempts: 0 }));
  const order = dag.topo;
  return {
    rerun: order.filter((u) => again.has(u)).map((u) => dag.ids[u]),
    kept: order.filter((u) => !again.has(u)).map((u) => dag.ids[u]),
    state: { dag, maxAttempts: checkpoint.maxAttempts, tasks },
  };
}

function withTasks(state: DagRunState, changes: ReadonlyMap<number, DagTaskRunState>): DagRunState {
  return { ...state, tasks: state.tasks.map((t, i) => changes.get(i) ?? t) };
}

/**
 * A cancelled run's checkpoint: every task that had not finished (pending or running) is `cancelled`;
 * finished ones keep their outcome. A rerun plans cancelled tasks again like failed ones.
 */
export function cancelSnapshot(snapshot: DagRunSnapshot): DagRunSnapshot {
  const tasks = Object.fromEntries(
    Object.entries(snapshot.tasks).map(([id, t]): [string, DagTaskRunState] => [id, t.status === 'pending' || t.status === 'running' ? { status: 'cancelled', attempts: t.attempts } : t]),
  );
  return { ...snapshot, tasks };
}

/** Plain, JSON-friendly form of a run state, keyed by task id (what a store persists as the checkpoint). */
export interface DagRunSnapshot {
  readonly maxAttempts: number;
  readonly tasks: Readonly<Record<string, DagTaskRunState>>;
}

export function snapshotRun(state: DagRunState): DagRunSnapshot {
  return { maxAttempts: state.maxAttempts, tasks: Object.fromEntries(state.dag.ids.map((id, i) => [id, state.tasks[i]])) };
}

const STATUSES: readonly DagTaskStatus[] = ['pending', 'running', 'succeeded', 'failed', 'upstream_failed', 'cancelled'];

/** Rebuilds a run state from a snapshot; tasks the snapshot does not mention are pending. */
export function restoreRun(dag: Dag, snapshot: DagRunSnapshot): DagRunState {
  const base = startRun(dag, snapshot.maxAttempts);
  const tasks = [...base.tasks];
  for (const [id, t] of Object.entries(snapshot.tasks)) {
    const i = requireIndex(dag, id);
    if (!STATUSES.includes(t.status)) throw new DagError('invalid_transition', `task "${id}": unknown status "${String(t.status)}" in snapshot`);
    if (!Number.isInteger(t.attempts) || t.attempts < 0) throw new DagError('invalid_transition', `task "${id}": attempts must be an integer >= 0, got ${t.attempts}`);
    tasks[i] = { status: t.status, attempts: t.attempts };
  }
  return { ...base, tasks };
}

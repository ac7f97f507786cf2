import { isTerminalStatus, type TaskStatus, type WorkflowTask } from '@kairos/contracts';
import { applyResult, buildDag, markStarted, nextRunnable, restoreRun, runStatus, type Dag, type DagRunSnapshot, type DagRunState, type DagRunStatus } from '@kairos/scheduling-core';

/** A workflow task row of the current generation, as the advancer sees it. */
export interface WorkflowTaskObservation {
  readonly key: string;
  readonly status: TaskStatus;
}

export interface AdvancePlan {
  readonly state: DagRunState;
  /** Keys whose task row finished since the checkpoint (applied to the run state). */
  readonly finished: readonly string[];
  /** Keys that became runnable: insert their task rows now. */
  readonly start: readonly string[];
  /** Keys newly marked upstream_failed by a terminal failure. */
  readonly upstreamFailed: readonly string[];
  readonly status: DagRunStatus;
  /** False when nothing changed (a duplicate or stale event): no write needed. */
  readonly changed: boolean;
}

export function dagOf(tasks: readonly Pick<WorkflowTask, 'key' | 'dependsOn' | 'inputs' | 'outputs'>[]): Dag {
  return buildDag(tasks.map((t) => ({ id: t.key, dependsOn: t.dependsOn, inputs: t.inputs, outputs: t.outputs })));
}

/**
 * One advancement step from the checkpoint: apply every task row that reached a terminal status while
 * its key is still running in the checkpoint, then start whatever became runnable. Pure and
 * idempotent: replaying it on its own output changes nothing. The executor already spent the task's
 * own retries (maxAttempts) before the row turned terminal, so a failure here is never retried.
 */
export function planAdvance(dag: Dag, checkpoint: DagRunSnapshot, rows: readonly WorkflowTaskObservation[]): AdvancePlan {
  let state = restoreRun(dag, checkpoint);
  const before = state;
  const finished: string[] = [];
  for (const r of rows) {
    const i = dag.indexOf.get(r.key);
    if (i === undefined || state.tasks[i].status !== 'running' || !isTerminalStatus(r.status)) continue;
    state = applyResult(state, r.key, r.status === 'succeeded' ? { kind: 'succeeded' } : { kind: 'failed', retryable: false });
    finished.push(r.key);
  }
  const start = nextRunnable(state);
  for (const k of start) state = markStarted(state, k);
  const upstreamFailed = dag.ids.filter((_, i) => state.tasks[i].status === 'upstream_failed' && before.tasks[i].status !== 'upstream_failed');
  return { state, finished, start, upstreamFailed, status: runStatus(state), changed: finished.length > 0 || start.length > 0 };
}

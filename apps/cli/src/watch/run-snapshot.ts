import { TERMINAL_STATUSES, type TaskStatus } from '@kairos/contracts';
import type { TaskView, WorkflowView } from '@kairos/client';

export type RunKind = 'task' | 'workflow';

/** One task of the run, as the ETA sees it. */
export interface RunNode {
  key: string;
  /** finished: nothing left; inFlight: handed to the executor (queued or running); waiting: for its dependencies. */
  state: 'finished' | 'inFlight' | 'waiting';
  taskId: string | null;
  /** When its current attempt started; null while queued. */
  startedAtMs: number | null;
  dependsOn: readonly string[];
}

/** Where a task or workflow run stands, reduced to counts: what the progress line shows. */
export interface RunSnapshot {
  kind: RunKind;
  id: string;
  name: string | null;
  status: string;
  terminal: boolean;
  succeeded: boolean;
  total: number;
  done: number;
  /** Failed, timed out or cancelled. */
  failed: number;
  /** Not run because something upstream failed. */
  skipped: number;
  running: number;
  queued: number;
  /** Workflow tasks waiting for their dependencies. */
  waiting: number;
  nodes: RunNode[];
}

const FAILED = new Set(['failed', 'timed_out', 'cancelled']);

export function isTerminalTaskStatus(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status as TaskStatus);
}

const ms = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);

export function taskSnapshot(t: TaskView): RunSnapshot {
  const terminal = isTerminalTaskStatus(t.status);
  return {
    kind: 'task',
    id: t.id,
    name: t.name,
    status: t.status,
    terminal,
    succeeded: t.status === 'succeeded',
    total: 1,
    done: t.status === 'succeeded' ? 1 : 0,
    failed: FAILED.has(t.status) ? 1 : 0,
    skipped: t.status === 'upstream_failed' ? 1 : 0,
    running: t.status === 'running' ? 1 : 0,
    queued: t.status === 'queued' ? 1 : 0,
    waiting: 0,
    nodes: [{ key: t.id, state: terminal ? 'finished' : 'inFlight', taskId: t.id, startedAtMs: t.status === 'running' ? ms(t.startedAt) : null, dependsOn: [] }],
  };
}

/**
 * A workflow's counts from its per-task view. The run's status decides the end (a cancelled run may
 * still list tasks as running while their cancellation lands).
 */
export function workflowSnapshot(w: WorkflowView): RunSnapshot {
  const s: RunSnapshot = {
    kind: 'workflow',
    id: w.id,
    name: w.name,
    status: w.status,
    terminal: w.status !== 'running',
    succeeded: w.status === 'succeeded',
    total: w.tasks.length,
    done: 0,
    failed: 0,
    skipped: 0,
    running: 0,
    queued: 0,
    waiting: 0,
    nodes: [],
  };
  for (const t of w.tasks) {
    let state: RunNode['state'] = 'finished';
    if (t.status === 'succeeded') s.done++;
    else if (FAILED.has(t.status)) s.failed++;
    else if (t.status === 'upstream_failed') s.skipped++;
    else if (t.status === 'pending') {
      s.waiting++;
      state = 'waiting';
    } else {
      if (t.taskStatus === 'running') s.running++;
      else s.queued++;
      state = 'inFlight';
    }
    s.nodes.push({ key: t.key, state, taskId: t.taskId, startedAtMs: t.taskStatus === 'running' ? ms(t.startedAt) : null, dependsOn: t.dependsOn });
  }
  return s;
}

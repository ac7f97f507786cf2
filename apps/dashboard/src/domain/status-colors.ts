// One colour per status, shared by pills, DAG nodes, Gantt bars and charts, so a state reads the same
// everywhere. Colours chosen to stay apart for the common colour-vision deficiencies (blue/orange
// axis for running vs failed, plus a text label everywhere a colour is shown).
import type { AnyStatus, TaskStatus, WorkflowTaskView } from '../api/api-types';

export interface StatusColor {
  /** Fill of a bar, node or pill. */
  fill: string;
  /** Border / edge stroke. */
  stroke: string;
  /** Text drawn on the fill. */
  text: string;
}

export const STATUS_COLORS: Readonly<Record<AnyStatus, StatusColor>> = {
  pending: { fill: '#eef0f3', stroke: '#9aa1ad', text: '#3b4250' },
  queued: { fill: '#fff1c2', stroke: '#c99a06', text: '#4d3b00' },
  running: { fill: '#cfe3ff', stroke: '#2f6fd6', text: '#0b2e66' },
  succeeded: { fill: '#c9f2d3', stroke: '#2e9d4f', text: '#0d3d1b' },
  failed: { fill: '#f8c9c9', stroke: '#c62828', text: '#5c0b0b' },
  timed_out: { fill: '#fbd7b5', stroke: '#d46b08', text: '#5a2a00' },
  oom_killed: { fill: '#ffd6e0', stroke: '#b0144f', text: '#4d0620' },
  cancelled: { fill: '#e3e3e3', stroke: '#777777', text: '#333333' },
  upstream_failed: { fill: '#f3d9ef', stroke: '#a33c93', text: '#4a0f41' },
  lost: { fill: '#e6dcf7', stroke: '#6b46c1', text: '#2c1763' },
  abandoned: { fill: '#f0e6d8', stroke: '#8d6e4a', text: '#3b2a15' },
};

const UNKNOWN: StatusColor = { fill: '#eeeeee', stroke: '#999999', text: '#333333' };

export function statusColor(status: string | null | undefined): StatusColor {
  return (status && (STATUS_COLORS as Record<string, StatusColor>)[status]) || UNKNOWN;
}

export const isKnownStatus = (s: string): s is AnyStatus => Object.prototype.hasOwnProperty.call(STATUS_COLORS, s);

/**
 * What a workflow task shows: the task row's own status when it has one (queued, running, cancelled,
 * timed_out are finer than the run's view), else the run's (pending, upstream_failed).
 */
export function workflowTaskStatus(t: Pick<WorkflowTaskView, 'status' | 'taskStatus'>): AnyStatus {
  return t.taskStatus ?? t.status;
}

export const TASK_STATUS_ORDER: readonly TaskStatus[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'oom_killed', 'cancelled', 'upstream_failed'];

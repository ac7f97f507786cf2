// Builders for the dashboard's unit tests (API shapes with sensible defaults; override what matters).
import type { AttemptView, TaskDetail, TaskView, WorkflowTaskView, WorkflowView } from '../api/api-types';
import type { DecisionRecord } from '../domain/decision-record';

let seq = 0;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function makeTask(over: Partial<TaskView> = {}): TaskView {
  seq += 1;
  return {
    id: uuid(seq),
    name: null,
    queue: 'default',
    priority: 50,
    status: 'succeeded',
    attempts: 1,
    maxAttempts: 1,
    run: { kind: 'shell', command: ['echo', 'hi'], shell: false, env: {} },
    resources: { cpuMillis: 100, memMb: 64 },
    exitCode: 0,
    outputTail: 'hi\n',
    error: null,
    nodeId: 'n0',
    predictedP50Ms: null,
    createdAt: '2026-11-29T10:00:00.000Z',
    startedAt: '2026-11-29T10:00:01.000Z',
    finishedAt: '2026-11-29T10:00:02.000Z',
    durationMs: 1000,
    ...over,
  };
}

export function makeAttempt(over: Partial<AttemptView> = {}): AttemptView {
  return {
    attempt: 1,
    nodeId: 'n0',
    executorId: 'ex-1',
    status: 'succeeded',
    startedAt: '2026-11-29T10:00:01.000Z',
    finishedAt: '2026-11-29T10:00:02.000Z',
    exitCode: 0,
    durationMs: 1000,
    error: null,
    ...over,
  };
}

export function makeTaskDetail(over: Partial<TaskDetail> = {}): TaskDetail {
  return { ...makeTask(), attemptsDetail: [makeAttempt()], events: [], ...over };
}

export function makeWorkflowTask(over: Partial<WorkflowTaskView> & { key: string }): WorkflowTaskView {
  return {
    status: 'succeeded',
    dependsOn: [],
    taskId: null,
    taskStatus: null,
    attempts: 0,
    generation: 1,
    exitCode: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

/** A workflow from `key: [deps]`; every task pending with no task row unless overridden. */
export function makeWorkflow(deps: Record<string, string[]>, tasks: Partial<Record<string, Partial<WorkflowTaskView>>> = {}): WorkflowView {
  const list = Object.entries(deps).map(([key, dependsOn]) => makeWorkflowTask({ key, dependsOn, status: 'pending', ...tasks[key] }));
  return {
    id: uuid(999),
    name: 'wf',
    status: 'running',
    generation: 1,
    counts: {},
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: null,
    tasks: list,
    edges: Object.entries(deps).flatMap(([to, froms]) => froms.map((from) => ({ from, to, origin: 'explicit', files: [] }))),
  };
}

/** The decision record of docs (decision-record.ts): chosen n0 over n1 by least-loaded. */
export const DECISION_FIXTURE: DecisionRecord = {
  taskId: uuid(1),
  attempt: 1,
  decidedAt: '2026-11-29T22:48:44.169Z',
  policy: { queue: 'default', ordering: 'priority', placement: 'least-loaded' },
  whyNow: 'highest priority in queue default (1st of 4 queued); n0 had 1.9 cores free',
  inputs: { queueDepth: 4, waitedMs: 120, priority: 50, predictedP50Ms: 300, predictedP90Ms: 900, requestedCpuMillis: 100, requestedMemMb: 64, candidates: 2, note: 'warm cache' },
  chosen: {
    nodeId: 'n0',
    // 0.95·0.6 + 0.5·0.3 + 1·0.1 = 0.57 + 0.15 + 0.1 = 0.82
    score: 0.82,
    components: [
      { name: 'free cpu', value: 0.95, weight: 0.6 },
      { name: 'free memory', value: 0.5, weight: 0.3 },
      { name: 'data locality', value: 1, weight: 0.1 },
    ],
  },
  runnerUp: {
    nodeId: 'n1',
    // 0.6·0.6 + 0.8·0.3 + 0·0.1 = 0.36 + 0.24 + 0 = 0.6
    score: 0.6,
    components: [
      { name: 'free cpu', value: 0.6, weight: 0.6 },
      { name: 'free memory', value: 0.8, weight: 0.3 },
      { name: 'data locality', value: 0, weight: 0.1 },
    ],
    rejectedBecause: 'less free CPU',
  },
  confidence: 0.74,
};

import type { TaskView, WorkflowTaskView, WorkflowView } from '@kairos/client';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

export function makeTaskView(over: Partial<TaskView> = {}): TaskView {
  return {
    id: uuid(),
    name: null,
    queue: 'default',
    priority: 50,
    status: 'queued',
    attempts: 0,
    maxAttempts: 1,
    run: { kind: 'noop' },
    resources: { cpuMillis: 100, memMb: 64, gpu: 0 },
    exitCode: null,
    outputTail: null,
    error: null,
    nodeId: null,
    predictedP50Ms: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    ...over,
  };
}

export function makeWorkflowTask(over: Partial<WorkflowTaskView> & { key: string }): WorkflowTaskView {
  return { status: 'pending', dependsOn: [], taskId: null, taskStatus: null, attempts: 0, exitCode: null, error: null, startedAt: null, finishedAt: null, ...over };
}

/** A workflow view whose tasks have the given DAG statuses (`running` tasks get a task id and `taskStatus`). */
export function makeWorkflowView(id: string, statuses: Record<string, string>, over: Partial<WorkflowView> = {}): WorkflowView {
  const keys = Object.keys(statuses);
  const tasks = keys.map((key, i) => {
    const status = statuses[key];
    const started = status !== 'pending' && status !== 'upstream_failed';
    return makeWorkflowTask({
      key,
      status,
      dependsOn: i === 0 ? [] : [keys[0]],
      taskId: started ? `${id.slice(0, 24)}${String(i).padStart(12, '0')}` : null,
      taskStatus: started ? status : null,
      exitCode: status === 'failed' ? 3 : status === 'succeeded' ? 0 : null,
      startedAt: started ? '2025-01-01T00:00:00.000Z' : null,
    });
  });
  const terminal = tasks.every((t) => ['succeeded', 'failed', 'upstream_failed'].includes(t.status));
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return {
    id,
    name: 'demo',
    status: terminal ? (tasks.some((t) => t.status !== 'succeeded') ? 'failed' : 'succeeded') : 'running',
    generation: 1,
    counts,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: terminal ? '2025-01-01T00:00:04.000Z' : null,
    tasks,
    edges: [],
    ...over,
  };
}

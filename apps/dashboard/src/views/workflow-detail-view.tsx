import { useEffect, useState } from 'preact/hooks';
import type { Stats, TaskDetail, WorkflowView } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { useLive } from '../api/use-live';
import { pollInterval, usePush, workflowTopic } from '../api/live-push';
import { formatClock, formatDateTime, formatDuration } from '../domain/format';
import { attemptsOf } from '../domain/gantt-geometry';
import { workflowTaskStatus } from '../domain/status-colors';
import { useLiveMany, useNow } from '../hooks';
import { FieldError, Link, LoadError, Loading, Pill, Section } from './common';
import { DagView } from './dag-view';
import { GanttChart } from './gantt-chart';

/** Task details fetched for the Gantt (one request each until a per-workflow attempts endpoint exists). */
const MAX_GANTT_TASKS = 200;

export function WorkflowDetailView({ id }: { id: string }) {
  const [ended, setEnded] = useState(false);
  // Pushed while the run goes on: each change of its state (GraphQL subscription) re-fetches it and its
  // tasks at once; polling is the fallback until the push is live, then a slow safety net.
  const push = usePush(ended ? null : workflowTopic(id));
  const wf = useLive<WorkflowView>(`/api/workflows/${id}`, ended ? 15_000 : pollInterval(push, 1000));
  const w = wf.data;
  const running = !w || w.status === 'running';
  useEffect(() => setEnded(!running), [running]);
  const now = useNow(running ? 1000 : 60_000);
  const stats = useLive<Stats>('/api/stats', 5000);
  const taskPaths = (w?.tasks ?? [])
    .filter((t) => t.taskId && t.taskStatus !== 'queued')
    .slice(0, MAX_GANTT_TASKS)
    .map((t) => `/api/tasks/${t.taskId}`);
  const details = useLiveMany<TaskDetail>(taskPaths, running ? pollInterval(push, 1500) : 30_000);
  const [actionError, setActionError] = useState('');

  if (!w) {
    return (
      <main>
        <Section title={`Workflow ${id}`} wide>
          {wf.error ? <LoadError error={wf.error} what="the workflow" /> : <Loading what="the workflow" />}
        </Section>
      </main>
    );
  }
  const act = async (what: 'cancel' | 'rerun') => {
    setActionError('');
    try {
      await requestJson(`/api/workflows/${id}/${what}`, { method: 'POST', body: what === 'rerun' ? {} : undefined });
      live.invalidate('/api/');
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const keyOf = new Map(w.tasks.filter((t) => t.taskId).map((t) => [t.taskId!, t.key]));
  const loaded = [...details.values()].flatMap((s) => (s.data ? [s.data] : []));
  const attempts = attemptsOf(loaded.map((d) => ({ id: d.id, label: keyOf.get(d.id) ?? d.name ?? d.id, attemptsDetail: d.attemptsDetail })));
  return (
    <main>
      <Section
        title={`Workflow ${w.name}`}
        wide
        actions={
          <>
            {w.status === 'running' ? (
              <button type="button" id="wf-cancel" onClick={() => act('cancel')}>
                Cancel
              </button>
            ) : null}
            {w.status === 'failed' || w.status === 'cancelled' ? (
              <button type="button" id="wf-rerun" onClick={() => act('rerun')}>
                Rerun failed
              </button>
            ) : null}
          </>
        }
      >
        <FieldError id="wf-action-error" message={actionError} />
        <p id="wf-summary">
          <Pill status={w.status} /> run {w.generation} · {w.tasks.length} tasks · {w.edges.length} edges · created {formatDateTime(w.createdAt)}
          {w.finishedAt ? ` · took ${formatDuration(Date.parse(w.finishedAt) - Date.parse(w.createdAt))}` : ''}
        </p>
        <DagView workflow={w} nowMs={now} />
      </Section>
      <Section title="Timeline (attempts per node)" wide>
        <GanttChart id="wf-gantt" attempts={attempts} nodeOrder={stats.data?.nodes.map((n) => n.id)} nowMs={now} />
        {w.tasks.length > MAX_GANTT_TASKS ? <p class="muted small">showing the first {MAX_GANTT_TASKS} tasks</p> : null}
      </Section>
      <Section title="Tasks" wide>
        <table id="wf-tasks">
          <thead>
            <tr>
              <th>key</th>
              <th>status</th>
              <th>depends on</th>
              <th>attempts</th>
              <th>exit</th>
              <th>started</th>
              <th>took</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {w.tasks.map((t) => (
              <tr key={t.key} data-key={t.key}>
                <td>{t.taskId ? <Link to={{ name: 'task', id: t.taskId }}>{t.key}</Link> : t.key}</td>
                <td>
                  <Pill status={workflowTaskStatus(t)} />
                </td>
                <td>{t.dependsOn.join(', ')}</td>
                <td>{t.attempts}</td>
                <td>{t.exitCode ?? ''}</td>
                <td>{formatClock(t.startedAt)}</td>
                <td>{t.startedAt ? formatDuration((t.finishedAt ? Date.parse(t.finishedAt) : now) - Date.parse(t.startedAt)) : ''}</td>
                <td class="err">{t.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </main>
  );
}

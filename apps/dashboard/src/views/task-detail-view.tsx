import { useEffect, useState } from 'preact/hooks';
import type { Prediction, Stats, TaskDetail } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { useLive } from '../api/use-live';
import { pollInterval, taskTopic, usePush } from '../api/live-push';
import { describeRun, elapsedMs, formatClock, formatDateTime, formatDuration, formatMb, formatPercent } from '../domain/format';
import { latestPlacement } from '../domain/decision-record';
import { attemptsOf } from '../domain/gantt-geometry';
import { predictionVerdict } from '../domain/prediction';
import { useNow } from '../hooks';
import { FieldError, LoadError, Loading, Pill, Section } from './common';
import { DecisionPanel } from './decision-panel';
import { ExplanationPanel } from './explanation-panel';
import { GanttChart } from './gantt-chart';

const ACTIVE = new Set(['queued', 'running']);

/** The latest placement record (and its ordering record) of the task, else the proposed `decision` field. */
function decisionOf(items: readonly unknown[], fallback: unknown) {
  const { placement, ordering } = latestPlacement(items);
  return { raw: placement ?? fallback ?? null, ordering };
}

export function TaskDetailView({ id }: { id: string }) {
  const [finished, setFinished] = useState(false);
  // Pushed: each of the task's lifecycle events (GraphQL subscription) re-fetches it at once (for a
  // finished task the server sends its history and ends the subscription). Until the push is live,
  // every second while the task can still change; a finished task is re-checked rarely (a rerun).
  const push = usePush(taskTopic(id));
  const task = useLive<TaskDetail>(`/api/tasks/${id}`, finished ? 15_000 : pollInterval(push, 1000));
  const t = task.data;
  const active = !t || ACTIVE.has(t.status);
  useEffect(() => setFinished(!active), [active]);
  // The estimate is written once, at queue time: look again only while the task is young.
  const prediction = useLive<Prediction>(`/api/predictions/${id}`, active ? 3000 : 60_000);
  // Asked once an estimate exists; it is fixed with the estimate (same version, same feature row).
  const explanation = useLive<unknown>(prediction.data ? `/api/predictions/${id}/explanation` : null, 60_000);
  const stats = useLive<Stats>('/api/stats', 5000);
  // Written by the executor after the claim: look again while the task can still be (re)placed.
  const decisions = useLive<{ items: unknown[] }>(`/api/tasks/${id}/decisions`, active ? 2000 : 60_000);
  const now = useNow(active ? 1000 : 60_000);
  const [cancelError, setCancelError] = useState('');
  if (!t) {
    return (
      <main>
        <Section title={`Task ${id}`} wide>
          {task.error ? <LoadError error={task.error} what="the task" /> : <Loading what="the task" />}
        </Section>
      </main>
    );
  }
  const cancel = async () => {
    setCancelError('');
    try {
      await requestJson(`/api/tasks/${id}/cancel`, { method: 'POST' });
      live.invalidate(`/api/tasks/${id}`);
    } catch (e) {
      setCancelError((e as Error).message);
    }
  };
  const actual = t.durationMs ?? (t.status === 'running' ? elapsedMs(t.startedAt, null, now) : null);
  const verdict = predictionVerdict(prediction.data ?? null, t.durationMs);
  return (
    <main>
      <Section
        title={t.name ?? describeRun(t.run)}
        wide
        actions={
          ACTIVE.has(t.status) ? (
            <button type="button" id="cancel-task" onClick={cancel}>
              Cancel
            </button>
          ) : null
        }
      >
        <FieldError id="cancel-error" message={cancelError} />
        <dl class="facts" id="task-facts">
          <div>
            <dt>status</dt>
            <dd>
              <Pill status={t.status} />
            </dd>
          </div>
          <div>
            <dt>id</dt>
            <dd>
              <code>{t.id}</code>
            </dd>
          </div>
          <div>
            <dt>run</dt>
            <dd>
              <code>{describeRun(t.run)}</code> ({t.run.kind})
            </dd>
          </div>
          <div>
            <dt>queue · priority</dt>
            <dd>
              {t.queue} · {t.priority}
            </dd>
          </div>
          <div>
            <dt>resources</dt>
            <dd>
              {t.resources.cpuMillis} m CPU · {formatMb(t.resources.memMb)}
            </dd>
          </div>
          <div>
            <dt>attempts</dt>
            <dd>
              {t.attempts} of {t.maxAttempts}
            </dd>
          </div>
          <div>
            <dt>created · started · finished</dt>
            <dd>
              {formatDateTime(t.createdAt)} · {formatClock(t.startedAt)} · {formatClock(t.finishedAt)}
            </dd>
          </div>
          <div>
            <dt>exit code</dt>
            <dd>{t.exitCode ?? '–'}</dd>
          </div>
          {t.error ? (
            <div>
              <dt>error</dt>
              <dd class="err">{t.error}</dd>
            </div>
          ) : null}
        </dl>
      </Section>

      <Section title="Predicted vs actual duration" id="prediction">
        {prediction.data ? (
          <dl class="facts">
            <div>
              <dt>predicted p50 · p90</dt>
              <dd>
                {formatDuration(prediction.data.p50Ms)} · {formatDuration(prediction.data.p90Ms)}
              </dd>
            </div>
            <div>
              <dt>actual</dt>
              <dd>
                {formatDuration(actual)}
                {t.status === 'running' ? ' so far' : ''}
              </dd>
            </div>
            <div>
              <dt>error</dt>
              <dd>
                {verdict
                  ? `${verdict.errorMs > 0 ? '+' : ''}${formatDuration(verdict.errorMs)} (${formatPercent(verdict.relativeError, 0)}) · ${verdict.withinP90 ? 'within p90' : 'beyond p90'}`
                  : prediction.data.basedOn === 0
                    ? 'no earlier runs of this kind: nothing was predicted'
                    : '–'}
              </dd>
            </div>
            <div>
              <dt>model</dt>
              <dd>
                {prediction.data.model} {prediction.data.modelVersion} · from {prediction.data.basedOn} earlier runs
              </dd>
            </div>
          </dl>
        ) : (
          <p class="muted">{prediction.error?.status === 404 ? 'no duration estimate was recorded for this task' : prediction.error ? prediction.error.message : 'loading…'}</p>
        )}
      </Section>

      <Section title="Why this estimate" id="prediction-why">
        {explanation.error && explanation.error.status !== 404 ? (
          <LoadError error={explanation.error} what="the explanation" />
        ) : (
          <ExplanationPanel raw={explanation.data} notFound={prediction.error?.status === 404 || explanation.error?.status === 404} />
        )}
      </Section>

      <Section title="Why this node, why now">
        {decisions.error ? <LoadError error={decisions.error} what="the decision records" /> : <DecisionPanel {...decisionOf(decisions.data?.items ?? [], t.decision)} />}
      </Section>

      <Section title="Attempts" wide>
        <table id="attempts">
          <thead>
            <tr>
              <th>#</th>
              <th>node</th>
              <th>start</th>
              <th>end</th>
              <th>duration</th>
              <th>outcome</th>
              <th>exit code</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {t.attemptsDetail.map((a) => (
              <tr key={a.attempt} data-attempt={a.attempt}>
                <td>{a.attempt}</td>
                <td>{a.nodeId}</td>
                <td>{formatClock(a.startedAt, true)}</td>
                <td>{formatClock(a.finishedAt, true)}</td>
                <td>{formatDuration(a.durationMs ?? elapsedMs(a.startedAt, a.finishedAt, now))}</td>
                <td>
                  <Pill status={a.status} />
                </td>
                <td>{a.exitCode ?? ''}</td>
                <td class="err">{a.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {t.attemptsDetail.length ? (
          <GanttChart
            id="task-gantt"
            attempts={attemptsOf([{ id: t.id, label: t.name ?? describeRun(t.run), attemptsDetail: t.attemptsDetail }])}
            nodeOrder={stats.data?.nodes.map((n) => n.id)}
            nowMs={now}
          />
        ) : (
          <p class="muted">not started yet</p>
        )}
      </Section>

      <Section title="Output (tail)" wide>
        <pre id="output">{t.outputTail || (t.status === 'queued' ? '(not started)' : '(no output)')}</pre>
      </Section>

      <Section title="Lifecycle events" wide>
        <table id="events">
          <thead>
            <tr>
              <th>at</th>
              <th>event</th>
              <th>attempt</th>
              <th>node</th>
              <th>outcome</th>
            </tr>
          </thead>
          <tbody>
            {t.events.map((e, i) => (
              <tr key={i}>
                <td>{formatClock(e.at, true)}</td>
                <td>
                  <code>{e.topic}</code>
                </td>
                <td>{e.attempt ?? ''}</td>
                <td>{e.nodeId ?? ''}</td>
                <td>
                  {e.status ? <Pill status={e.status} /> : null}
                  {e.exitCode !== undefined && e.exitCode !== null ? ` exit ${e.exitCode}` : ''}
                  {e.durationMs !== undefined ? ` · ${formatDuration(e.durationMs)}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </main>
  );
}

import { itemsOf, type Page, type Stats, type TaskView } from '../api/api-types';
import { useLive } from '../api/use-live';
import { describeTask, formatClock, formatDuration, formatMb, shortId } from '../domain/format';
import { TASK_STATUS_ORDER } from '../domain/status-colors';
import { throughputBars } from '../domain/throughput-bars';
import { useWidth } from '../hooks';
import { Link, LoadError, Pill, Section } from './common';
import { SubmitTaskForm } from './submit-task-form';

export const RECENT_TASKS_PATH = '/api/tasks?limit=10';

export function OverviewView() {
  const stats = useLive<Stats>('/api/stats', 2000);
  const recent = useLive<Page<TaskView>>(RECENT_TASKS_PATH, 2000);
  return (
    <main>
      <Section title="Tasks by status">
        <div class="counts" id="counts">
          {TASK_STATUS_ORDER.map((s) => {
            const n = stats.data?.tasks[s] ?? 0;
            return (
              <a key={s} class={`count ${n ? `s-${s}` : 'zero'}`} data-status={s} href={`#/tasks?status=${s}`}>
                <b>{n}</b>
                {s.replace('_', ' ')}
              </a>
            );
          })}
        </div>
        <LoadError error={stats.error} what="stats" />
      </Section>
      <Section title="Submit a shell command">
        <SubmitTaskForm />
        <p class="muted small">
          A workflow (DAG) is submitted on <a href="#/workflows">Workflows</a>.
        </p>
      </Section>
      <Section title="Completed per minute (last 30 min)">
        <ThroughputChart points={stats.data?.throughput ?? []} />
      </Section>
      <Section title="Nodes" actions={<a href="#/cluster">utilisation →</a>}>
        <table id="nodes">
          <thead>
            <tr>
              <th>node</th>
              <th>status</th>
              <th>running</th>
              <th>cpu</th>
              <th>mem</th>
            </tr>
          </thead>
          <tbody>
            {(stats.data?.nodes ?? []).map((n) => (
              <tr key={n.id}>
                <td>{n.id}</td>
                <td>
                  <span class={`pill ${n.status === 'ready' ? 's-succeeded' : 's-failed'}`}>{n.status}</span>
                </td>
                <td>{n.running}</td>
                <td>{n.cpuMillis}m</td>
                <td>{formatMb(n.memMb)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Recent tasks" wide actions={<a href="#/tasks">all tasks →</a>}>
        <TaskTable id="tasks" tasks={itemsOf(recent.data) ?? []} />
        <LoadError error={recent.error} what="tasks" />
      </Section>
    </main>
  );
}

/** The task table used by the overview and the task list (column order is relied on by the e2e test). */
export function TaskTable({ id, tasks }: { id: string; tasks: readonly TaskView[] }) {
  return (
    <table id={id} class="tasks">
      <thead>
        <tr>
          <th>id</th>
          <th>name / command</th>
          <th>queue</th>
          <th>status</th>
          <th>exit</th>
          <th>attempts</th>
          <th>duration</th>
          <th>output</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-id={t.id}>
            <td>
              <Link to={{ name: 'task', id: t.id }}>
                <code>{shortId(t.id)}</code>
              </Link>
            </td>
            <td class="ellipsis">{describeTask(t)}</td>
            <td>{t.queue}</td>
            <td>
              <Pill status={t.status} />
            </td>
            <td>{t.exitCode ?? ''}</td>
            <td>
              {t.attempts}/{t.maxAttempts}
            </td>
            <td>{t.durationMs !== null ? formatDuration(t.durationMs) : ''}</td>
            <td class="ellipsis">
              <code>{(t.outputTail || t.error || '').slice(-80)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ThroughputChart({ points }: { points: Stats['throughput'] }) {
  const [ref, width] = useWidth<HTMLDivElement>(400);
  const height = 140;
  const { bars, max } = throughputBars(points, width, height);
  return (
    <div ref={ref}>
      <svg id="chart" width={width} height={height} role="img" aria-label="tasks completed per minute">
        <text x="0" y="12" class="axis-label">
          {max}
        </text>
        <line x1="30" y1={height - 20} x2={width} y2={height - 20} class="axis" />
        {bars.map((b) => (
          <g key={b.minute}>
            <rect class="bar ok" x={b.x} y={b.okY} width={b.width} height={b.okHeight}>
              <title>{`${formatClock(b.minute).slice(0, 5)}: ${b.ok} succeeded`}</title>
            </rect>
            <rect class="bar-bad" x={b.x} y={b.badY} width={b.width} height={b.badHeight}>
              <title>{`${formatClock(b.minute).slice(0, 5)}: ${b.bad} not succeeded`}</title>
            </rect>
          </g>
        ))}
        {!bars.length ? (
          <text x="40" y="70" class="muted-text">
            no completed tasks yet
          </text>
        ) : null}
      </svg>
    </div>
  );
}

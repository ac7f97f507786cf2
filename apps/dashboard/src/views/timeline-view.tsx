import { itemsOf, type Page, type Stats, type TaskDetail, type TaskView } from '../api/api-types';
import { useLive } from '../api/use-live';
import { describeTask } from '../domain/format';
import { attemptsOf } from '../domain/gantt-geometry';
import { useLiveMany, useNow } from '../hooks';
import { LoadError, Section } from './common';
import { GanttChart } from './gantt-chart';

/** Recent tasks whose attempts are drawn (one detail request each until GET /api/attempts exists). */
const RECENT = 60;

export function TimelineView() {
  const tasks = useLive<Page<TaskView>>('/api/tasks?limit=100', 2000);
  const stats = useLive<Stats>('/api/stats', 5000);
  const now = useNow(1000);
  const started = (itemsOf(tasks.data) ?? []).filter((t) => t.attempts > 0 || t.status === 'running').slice(0, RECENT);
  const label = new Map(started.map((t) => [t.id, describeTask(t)]));
  const details = useLiveMany<TaskDetail>(
    started.map((t) => `/api/tasks/${t.id}`),
    2000,
  );
  const loaded = [...details.values()].flatMap((s) => (s.data ? [s.data] : []));
  const attempts = attemptsOf(loaded.map((d) => ({ id: d.id, label: label.get(d.id) ?? d.id, attemptsDetail: d.attemptsDetail })));
  return (
    <main>
      <Section title={`Timeline: attempts of the ${RECENT} most recent tasks, per node`} wide>
        <LoadError error={tasks.error} what="tasks" />
        <GanttChart id="gantt" attempts={attempts} nodeOrder={stats.data?.nodes.map((n) => n.id)} nowMs={now} />
      </Section>
    </main>
  );
}

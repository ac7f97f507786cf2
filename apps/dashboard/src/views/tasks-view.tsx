import { itemsOf, type Page, type QueuesResponse, type TaskView } from '../api/api-types';
import { useLive } from '../api/use-live';
import { href, type Route } from '../domain/routes';
import { PAGE_SIZE, SEARCH_WINDOW, pageOf, taskListPath, type TaskFilter } from '../domain/task-list-query';
import { TASK_STATUS_ORDER } from '../domain/status-colors';
import { Empty, LoadError, Loading, Section } from './common';
import { TaskTable } from './overview-view';

type TasksRoute = Extract<Route, { name: 'tasks' }>;

function go(f: TaskFilter): void {
  location.hash = href({ name: 'tasks', ...f });
}

export function TasksView({ route }: { route: TasksRoute }) {
  const filter: TaskFilter = { status: route.status, queue: route.queue, q: route.q, page: route.page };
  const tasks = useLive<Page<TaskView>>(taskListPath(filter), 2000);
  const queues = useLive<QueuesResponse>('/api/queues', 10_000);
  const rows = itemsOf(tasks.data);
  const page = rows ? pageOf(rows, filter) : null;
  return (
    <main>
      <Section title="Tasks" wide>
        <form
          id="task-filters"
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            const q = ((e.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement).value;
            go({ ...filter, q, page: 0 });
          }}
        >
          <label>
            status
            <select id="filter-status" value={filter.status} onChange={(e) => go({ ...filter, status: e.currentTarget.value, page: 0 })}>
              <option value="">any</option>
              {TASK_STATUS_ORDER.map((s) => (
                <option key={s} value={s}>
                  {s.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          <label>
            queue
            <select id="filter-queue" value={filter.queue} onChange={(e) => go({ ...filter, queue: e.currentTarget.value, page: 0 })}>
              <option value="">any</option>
              {(queues.data?.queues ?? []).map((q) => (
                <option key={q.queue} value={q.queue}>
                  {q.queue}
                </option>
              ))}
              {filter.queue && !queues.data?.queues.some((q) => q.queue === filter.queue) ? <option value={filter.queue}>{filter.queue}</option> : null}
            </select>
          </label>
          <label class="grow">
            name
            <input id="filter-q" name="q" type="search" placeholder="name, command or id prefix" defaultValue={filter.q} />
          </label>
          <button type="submit">Search</button>
        </form>
        <LoadError error={tasks.error} what="tasks" />
        {!page ? (
          <Loading what="tasks" />
        ) : page.rows.length ? (
          <TaskTable id="task-list" tasks={page.rows} />
        ) : (
          <Empty>no tasks match</Empty>
        )}
        {page ? (
          <div class="pager">
            <button type="button" disabled={filter.page === 0} onClick={() => go({ ...filter, page: filter.page - 1 })}>
              ← newer
            </button>
            <span id="page-range">{page.rows.length ? `${page.from}–${page.to}` : '0'}</span>
            <button type="button" disabled={!page.hasNext} onClick={() => go({ ...filter, page: filter.page + 1 })}>
              older →
            </button>
            {page.searchTruncated ? <span class="muted small">search covers the newest {SEARCH_WINDOW} tasks</span> : null}
            <span class="muted small">{PAGE_SIZE} a page</span>
          </div>
        ) : null}
      </Section>
    </main>
  );
}

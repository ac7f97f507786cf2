// Task list filters and paging over today's API: GET /api/tasks filters by status and queue and
// returns the newest `limit` (≤ 1000) with no cursor, so a page is fetched as the newest
// (page + 1) × size + 1 rows (the +1 tells whether there is a next page) and name search runs here
// over the newest SEARCH_WINDOW rows. Proposed: GET /api/tasks?status=&queue=&q=&before=<cursor>&limit=
// answering { items, nextCursor } — then this module builds that query and the slicing goes away.
import type { TaskView } from '../api/api-types';
import { describeTask } from './format';

export const PAGE_SIZE = 25;
export const SEARCH_WINDOW = 1000;

export interface TaskFilter {
  status: string;
  queue: string;
  /** Case-insensitive substring of the name, the command/URL or the id. */
  q: string;
  page: number;
}

/** The API path that serves a page of `f`. */
export function taskListPath(f: TaskFilter, pageSize = PAGE_SIZE): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.queue) p.set('queue', f.queue);
  const limit = f.q.trim() ? SEARCH_WINDOW : Math.min(SEARCH_WINDOW, (f.page + 1) * pageSize + 1);
  p.set('limit', String(limit));
  return `/api/tasks?${p.toString()}`;
}

export function matchesSearch(t: Pick<TaskView, 'id' | 'name' | 'run'>, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return describeTask(t).toLowerCase().includes(needle) || (t.name ?? '').toLowerCase().includes(needle) || t.id.startsWith(needle);
}

export interface TaskPage {
  rows: TaskView[];
  hasNext: boolean;
  /** 1-based index of the first row shown (0 when empty). */
  from: number;
  to: number;
  /** True when the search looked at the whole window: older tasks were not searched. */
  searchTruncated: boolean;
}

/** The rows of page `f.page` out of what taskListPath(f) returned (newest first). */
export function pageOf(fetched: readonly TaskView[], f: TaskFilter, pageSize = PAGE_SIZE): TaskPage {
  const matching = fetched.filter((t) => matchesSearch(t, f.q));
  const start = f.page * pageSize;
  const rows = matching.slice(start, start + pageSize);
  return {
    rows,
    hasNext: matching.length > start + pageSize,
    from: rows.length ? start + 1 : 0,
    to: start + rows.length,
    searchTruncated: f.q.trim() !== '' && fetched.length >= SEARCH_WINDOW,
  };
}

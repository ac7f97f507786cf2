import { makeTask } from '../testing/factories';
import { matchesSearch, pageOf, taskListPath, SEARCH_WINDOW } from './task-list-query';

const f = (over: Partial<{ status: string; queue: string; q: string; page: number }> = {}) => ({ status: '', queue: '', q: '', page: 0, ...over });

describe('task list filters and paging', () => {
  it('asks the API for the newest rows up to the end of the page, plus one', () => {
    expect(taskListPath(f())).toBe('/api/tasks?limit=26');
    expect(taskListPath(f({ status: 'failed', queue: 'etl', page: 2 }))).toBe('/api/tasks?status=failed&queue=etl&limit=76');
    expect(taskListPath(f({ page: 100 }))).toBe(`/api/tasks?limit=${SEARCH_WINDOW}`);
    // A name search looks at the whole window.
    expect(taskListPath(f({ q: 'echo' }))).toBe(`/api/tasks?limit=${SEARCH_WINDOW}`);
  });

  it('slices pages and tells whether there is a next one', () => {
    const tasks = Array.from({ length: 26 }, (_, i) => makeTask({ name: `t${i}` }));
    const p0 = pageOf(tasks, f());
    expect(p0.rows.map((t) => t.name)).toEqual(tasks.slice(0, 25).map((t) => t.name));
    expect([p0.hasNext, p0.from, p0.to]).toEqual([true, 1, 25]);
    const p1 = pageOf(tasks, f({ page: 1 }));
    expect(p1.rows.map((t) => t.name)).toEqual(['t25']);
    expect([p1.hasNext, p1.from, p1.to]).toEqual([false, 26, 26]);
    expect(pageOf([], f())).toMatchObject({ rows: [], hasNext: false, from: 0, to: 0 });
  });

  it('searches name, command and id prefix, case-insensitively', () => {
    const named = makeTask({ name: 'Nightly ETL' });
    const cmd = makeTask({ run: { kind: 'shell', command: ['pg_dump', 'prod'], shell: false, env: {} } });
    expect(matchesSearch(named, 'etl')).toBe(true);
    expect(matchesSearch(cmd, 'PG_DUMP')).toBe(true);
    expect(matchesSearch(cmd, cmd.id.slice(0, 6))).toBe(true);
    expect(matchesSearch(cmd, 'etl')).toBe(false);
    expect(matchesSearch(cmd, '  ')).toBe(true);
    const page = pageOf([named, cmd], f({ q: 'dump' }));
    expect(page.rows).toEqual([cmd]);
    expect(page.searchTruncated).toBe(false);
  });
});

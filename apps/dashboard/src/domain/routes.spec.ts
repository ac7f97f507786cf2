import { href, parseRoute, type Route } from './routes';

describe('hash routes', () => {
  const id = '086372bb-5c8d-4c25-a45a-0ff070609974';
  it.each<[string, Route]>([
    ['', { name: 'overview' }],
    ['#/', { name: 'overview' }],
    ['#/tasks', { name: 'tasks', status: '', queue: '', q: '', page: 0 }],
    ['#/tasks?status=failed&queue=etl&q=echo%20hi&page=2', { name: 'tasks', status: 'failed', queue: 'etl', q: 'echo hi', page: 2 }],
    ['#/tasks?page=-3', { name: 'tasks', status: '', queue: '', q: '', page: 0 }],
    [`#/tasks/${id}`, { name: 'task', id }],
    ['#/tasks/../../etc', { name: 'not-found', path: '/tasks/../../etc' }],
    ['#/workflows?status=running', { name: 'workflows', status: 'running' }],
    [`#/workflows/${id}`, { name: 'workflow', id }],
    ['#/timeline', { name: 'timeline' }],
    ['#/models/x', { name: 'not-found', path: '/models/x' }],
    ['#/nope', { name: 'not-found', path: '/nope' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('href is the inverse of parseRoute', () => {
    const routes: Route[] = [
      { name: 'overview' },
      { name: 'tasks', status: 'failed', queue: 'a.b', q: 'x & y', page: 3 },
      { name: 'tasks', status: '', queue: '', q: '', page: 0 },
      { name: 'task', id },
      { name: 'workflows', status: '' },
      { name: 'workflow', id },
      { name: 'cluster' },
      { name: 'queues' },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
    expect(href({ name: 'tasks', status: '', queue: '', q: '', page: 0 })).toBe('#/tasks');
  });
});

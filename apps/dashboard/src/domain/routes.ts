// Hash routes (#/tasks/…): the gateway serves one page at /, so routing needs no server fallback.
export type Route =
  | { name: 'overview' }
  | { name: 'tasks'; status: string; queue: string; q: string; page: number }
  | { name: 'task'; id: string }
  | { name: 'workflows'; status: string }
  | { name: 'workflow'; id: string }
  | { name: 'timeline' }
  | { name: 'cluster' }
  | { name: 'anomalies' }
  | { name: 'models' }
  | { name: 'queues' }
  | { name: 'not-found'; path: string };

const UUIDISH = /^[0-9a-f-]{8,36}$/i;

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(queryPart);
  const [head, id, ...rest] = parts;
  if (rest.length) return { name: 'not-found', path: pathPart };
  switch (head) {
    case undefined:
      return { name: 'overview' };
    case 'tasks':
      if (id) return UUIDISH.test(id) ? { name: 'task', id } : { name: 'not-found', path: pathPart };
      return { name: 'tasks', status: q.get('status') ?? '', queue: q.get('queue') ?? '', q: q.get('q') ?? '', page: Math.max(0, Number.parseInt(q.get('page') ?? '0', 10) || 0) };
    case 'workflows':
      if (id) return UUIDISH.test(id) ? { name: 'workflow', id } : { name: 'not-found', path: pathPart };
      return { name: 'workflows', status: q.get('status') ?? '' };
    case 'timeline':
    case 'cluster':
    case 'anomalies':
    case 'models':
    case 'queues':
      return id ? { name: 'not-found', path: pathPart } : { name: head };
    default:
      return { name: 'not-found', path: pathPart };
  }
}

/** The hash for a route (inverse of parseRoute; empty query values are left out). */
export function href(route: Route): string {
  const qs = (o: Record<string, string | number>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== '' && v !== 0) p.set(k, String(v));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  switch (route.name) {
    case 'overview':
      return '#/';
    case 'tasks':
      return `#/tasks${qs({ status: route.status, queue: route.queue, q: route.q, page: route.page })}`;
    case 'task':
      return `#/tasks/${encodeURIComponent(route.id)}`;
    case 'workflows':
      return `#/workflows${qs({ status: route.status })}`;
    case 'workflow':
      return `#/workflows/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `#/${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

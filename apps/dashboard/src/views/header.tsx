import { useState } from 'preact/hooks';
import type { Health } from '../api/api-types';
import { signOut } from '../api/session';
import { useLive } from '../api/use-live';
import type { AuthState } from '../api/session';
import type { Route } from '../domain/routes';

const NAV: Array<{ label: string; route: Route; match: Route['name'][] }> = [
  { label: 'Overview', route: { name: 'overview' }, match: ['overview'] },
  { label: 'Tasks', route: { name: 'tasks', status: '', queue: '', q: '', page: 0 }, match: ['tasks', 'task'] },
  { label: 'Workflows', route: { name: 'workflows', status: '' }, match: ['workflows', 'workflow'] },
  { label: 'Timeline', route: { name: 'timeline' }, match: ['timeline'] },
  { label: 'Cluster', route: { name: 'cluster' }, match: ['cluster'] },
  { label: 'Anomalies', route: { name: 'anomalies' }, match: ['anomalies'] },
  { label: 'Models', route: { name: 'models' }, match: ['models'] },
  { label: 'Queues', route: { name: 'queues' }, match: ['queues'] },
];

/** "ok · db pglite · bus in-process · ml wasm" from /health. */
export function healthLine(h: Health): string {
  const parts = [h.status, `db ${h.databaseKind}`, `bus ${h.bus}`];
  if (h.tfjsBackend) parts.push(`ml ${h.tfjsBackend}`);
  return parts.join(' · ');
}

export function Header({ route, auth }: { route: Route; auth: AuthState }) {
  const health = useLive<Health>('/health', 10_000);
  const [signOutError, setSignOutError] = useState('');
  const text = health.error ? `unreachable: ${health.error.message}` : health.data ? healthLine(health.data) : '…';
  const bad = !!health.error || (health.data && health.data.status !== 'ok');
  return (
    <header>
      <a class="brand" href="#/">
        Kairos
      </a>
      <span id="health" class={bad ? 'health bad' : 'health'} title="GET /health">
        {text}
      </span>
      <nav>
        {NAV.map((n) => (
          <a key={n.label} href={`#/${n.route.name === 'overview' ? '' : n.route.name}`} class={n.match.includes(route.name) ? 'active' : undefined}>
            {n.label}
          </a>
        ))}
      </nav>
      {auth === 'signed-in' ? (
        <button
          class="link"
          type="button"
          onClick={() => signOut().catch((e: Error) => setSignOutError(e.message))}
          title={signOutError || 'end the session'}
        >
          sign out
        </button>
      ) : null}
    </header>
  );
}

// Server push for the live data layer: GraphQL subscriptions over graphql-ws on the same origin's
// /graphql. The socket authenticates with the session cookie the browser sends on the upgrade (the
// gateway accepts it only with this server's Origin); no key is ever in the URL or in script.
// A subscription's event does not carry the view's data: it tells LiveData which paths changed, and
// LiveData fetches them at once (ETag-conditional). Polling stays as the safety net, slower while the
// push is up.
import { useEffect, useState } from 'preact/hooks';
import { createClient, type Client } from 'graphql-ws';
import { live } from './live-data';

/** A subscription a view can ask for, and the paths whose data its events change. */
export interface PushTopic {
  query: string;
  variables: Record<string, unknown>;
  /** Path prefixes LiveData re-fetches on each event. */
  invalidates: readonly string[];
}

export const taskTopic = (id: string): PushTopic => ({
  query: 'subscription($id: ID!) { taskEvents(taskId: $id) }',
  variables: { id },
  invalidates: [`/api/tasks/${id}`, `/api/predictions/${id}`],
});

export const workflowTopic = (id: string): PushTopic => ({
  query: 'subscription($id: ID!) { workflowUpdates(workflowId: $id) { id status } }',
  variables: { id },
  invalidates: [`/api/workflows/${id}`, '/api/tasks/'],
});

/** Executor nodes: every node first, then each change of status, running count or capacity. */
export const nodesTopic = (): PushTopic => ({
  query: 'subscription { nodeUpdates { id status running } }',
  variables: {},
  invalidates: ['/api/executor/status', '/api/stats'],
});

/** A node metric whose anomaly score peaks at or over the threshold: its diagnosis and repair follow. */
export const anomaliesTopic = (threshold = 0.5): PushTopic => ({
  query: 'subscription($t: Float) { anomalyEvents(threshold: $t) { nodeId metric maxAt } }',
  variables: { t: threshold },
  invalidates: ['/api/anomalies', '/api/diagnoses', '/api/repairs'],
});

/** Every stage change of a model (register, promote, rollback, archive). */
export const modelTopic = (name: string): PushTopic => ({
  query: 'subscription($name: String!) { modelEvents(name: $name) { version to at } }',
  variables: { name },
  invalidates: ['/api/models', `/api/models/${encodeURIComponent(name)}/`],
});

/** The socket URL of this page's origin. */
export function graphqlSocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/graphql`;
}

let client: Client | null = null;
function sharedClient(): Client {
  // Lazy: one socket for the whole app, opened by the first subscription, closed 10 s after the last.
  client ??= createClient({ url: graphqlSocketUrl(location), lazy: true, lazyCloseTimeout: 10_000, retryAttempts: Infinity });
  return client;
}

export type PushState = 'connecting' | 'live' | 'ended' | 'failed';

/**
 * Subscribes while mounted; each event re-fetches the topic's paths. Returns the state: `live` once an
 * event has arrived (the first comes at once: a task's history, a workflow's current state), `ended`
 * when the server completed it (the task or run is over), `failed` if refused (the caller keeps polling).
 */
export function usePush(topic: PushTopic | null, onEvent: (paths: readonly string[]) => void = invalidateAll): PushState {
  const [state, setState] = useState<PushState>('connecting');
  const key = topic ? `${topic.query}\n${JSON.stringify(topic.variables)}` : '';
  useEffect(() => {
    if (!topic) return undefined;
    setState('connecting');
    let disposed = false;
    const stop = sharedClient().subscribe(
      { query: topic.query, variables: topic.variables },
      {
        next: () => {
          if (disposed) return;
          setState('live');
          onEvent(topic.invalidates);
        },
        error: () => !disposed && setState('failed'),
        complete: () => {
          if (disposed) return;
          setState('ended');
          onEvent(topic.invalidates);
        },
      },
    );
    return () => {
      disposed = true;
      stop();
    };
  }, [key]); // the topic is identified by its query and variables
  return state;
}

function invalidateAll(paths: readonly string[]): void {
  for (const p of paths) live.invalidate(p);
}

/** Poll interval for a view: the fast one until the push is live, then a slow safety net. */
export function pollInterval(state: PushState, fastMs: number, safetyNetMs = 15_000): number {
  return state === 'live' ? Math.max(fastMs, safetyNetMs) : fastMs;
}

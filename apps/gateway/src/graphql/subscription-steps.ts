/**
 * What a polling subscription sends after one poll, given what it sent before: pure, so the order
 * and de-duplication rules are unit-tested without a server.
 */

/** Stage changes are append-only: send the ones after the `sent` already sent, in order. */
export function modelHistoryStep<T>(history: readonly T[], sent: number): { items: T[]; sent: number } {
  return { items: history.slice(sent), sent: Math.max(sent, history.length) };
}

export interface AnomalyPoint {
  nodeId: string;
  metric: string;
  max: number | null;
  maxAt: string | null;
}

/** Per node metric, the peak instant last sent. */
export type AnomalyCursor = ReadonlyMap<string, string>;

/**
 * The streams whose peak score reaches `threshold` at an instant later than the one last sent for
 * that stream, oldest peak first (ties by node, then metric).
 */
export function anomalyStep<T extends AnomalyPoint>(streams: readonly T[], threshold: number, cursor: AnomalyCursor): { items: T[]; cursor: AnomalyCursor } {
  const next = new Map(cursor);
  const items = streams.filter((s) => {
    if (s.max === null || s.maxAt === null || s.max < threshold) return false;
    const key = `${s.nodeId}\u0000${s.metric}`;
    const last = next.get(key);
    if (last !== undefined && Date.parse(s.maxAt) <= Date.parse(last)) return false;
    next.set(key, s.maxAt);
    return true;
  });
  items.sort((a, b) => Date.parse(a.maxAt as string) - Date.parse(b.maxAt as string) || a.nodeId.localeCompare(b.nodeId) || a.metric.localeCompare(b.metric));
  return { items, cursor: next };
}

export interface NodeState {
  id: string;
  status: string;
  running: number;
  cpuMillis: number;
  memMb: number;
}

/** Per node, the state last sent (heartbeat times alone are not a change). */
export type NodeCursor = ReadonlyMap<string, string>;

/** The nodes that are new or whose status, running count or capacity changed, by id. */
export function nodeStep<T extends NodeState>(nodes: readonly T[], cursor: NodeCursor): { items: T[]; cursor: NodeCursor } {
  const next = new Map(cursor);
  const items = nodes.filter((n) => {
    const state = JSON.stringify([n.status, n.running, n.cpuMillis, n.memMb]);
    if (next.get(n.id) === state) return false;
    next.set(n.id, state);
    return true;
  });
  items.sort((a, b) => a.id.localeCompare(b.id));
  return { items, cursor: next };
}

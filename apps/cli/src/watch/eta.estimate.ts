import type { RunNode, RunSnapshot } from './run-snapshot';

export interface PredictedDuration {
  p50Ms: number;
  p90Ms: number | null;
}

export interface Eta {
  ms: number;
  source: 'predicted' | 'rate';
}

/**
 * Time left for a run: from the analyzer's duration predictions when there are some,
 * else from the rate observed so far; null when neither is known yet.
 *
 * Predicted (when at least one task in flight has a prediction): a task in flight has p50 − (time it
 * has run) left; past its p50 we take its p90 instead (slower than typical, not finished); past the
 * p90 the prediction says nothing more and the rate is used. A task without a prediction (just queued,
 * or waiting for its dependencies: none exists before it is queued) is given the mean p50 of those
 * that have one. The run ends when its longest dependency chain does, so
 * the ETA is the longest path through the remaining tasks (as if there were slots enough for every
 * ready task; on a saturated cluster it is a lower bound).
 * Rate: elapsed time per finished task, times the tasks left.
 */
export function estimateEta(s: RunSnapshot, predictions: ReadonlyMap<string, PredictedDuration>, watchStartedMs: number, nowMs: number): Eta | null {
  const finished = s.done + s.failed + s.skipped;
  const left = s.total - finished;
  if (s.terminal || left <= 0) return null;
  const predicted = criticalPath(s.nodes, predictions, nowMs);
  if (predicted !== null) return { ms: Math.round(predicted), source: 'predicted' };
  const elapsed = nowMs - watchStartedMs;
  if (finished > 0 && elapsed > 0) return { ms: Math.round((elapsed / finished) * left), source: 'rate' };
  return null;
}

function criticalPath(nodes: readonly RunNode[], predictions: ReadonlyMap<string, PredictedDuration>, nowMs: number): number | null {
  const inFlight = nodes.filter((n) => n.state === 'inFlight');
  const own = new Map<string, number>();
  const p50s: number[] = [];
  for (const n of inFlight) {
    const p = n.taskId ? predictions.get(n.taskId) : undefined;
    if (!p) continue;
    const left = remainingOf(n, p, nowMs);
    // Past its p90 a task's prediction tells nothing about when it ends.
    if (left === null) return null;
    own.set(n.key, left);
    p50s.push(p.p50Ms);
  }
  if (!p50s.length) return null;
  const mean = p50s.reduce((a, b) => a + b, 0) / p50s.length;
  // Longest path through the unfinished tasks (Kahn's order, no recursion: workflows have up to 10,000 tasks).
  const open = new Map(nodes.filter((n) => n.state !== 'finished').map((n) => [n.key, n]));
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const n of open.values()) {
    const deps = n.state === 'waiting' ? n.dependsOn.filter((d) => open.has(d)) : [];
    indegree.set(n.key, deps.length);
    for (const d of deps) children.set(d, [...(children.get(d) ?? []), n.key]);
  }
  const startAt = new Map<string, number>();
  const ready = [...open.keys()].filter((k) => indegree.get(k) === 0);
  let longest = 0;
  while (ready.length) {
    const key = ready.pop()!;
    const end = (startAt.get(key) ?? 0) + (own.get(key) ?? mean);
    longest = Math.max(longest, end);
    for (const c of children.get(key) ?? []) {
      startAt.set(c, Math.max(startAt.get(c) ?? 0, end));
      const left = indegree.get(c)! - 1;
      indegree.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  return longest;
}

function remainingOf(n: RunNode, p: PredictedDuration, nowMs: number): number | null {
  if (n.startedAtMs === null) return p.p50Ms;
  const ran = Math.max(0, nowMs - n.startedAtMs);
  if (ran <= p.p50Ms) return p.p50Ms - ran;
  if (p.p90Ms !== null && ran <= p.p90Ms) return p.p90Ms - ran;
  return null;
}

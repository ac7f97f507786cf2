import type { ConsumerStatus } from '@kairos/bus';
import type { HealthCheckResult } from './health.registry';

export interface OutboxLimits {
  maxBacklog: number;
  maxAgeMs: number;
}

/**
 * An outbox relay is degraded when its unpublished rows pile up (more than maxBacklog) or the oldest
 * waits longer than maxAgeMs: events are committed but not reaching Kafka (a broker or partition
 * leader away). Nothing is lost meanwhile; the relay publishes them when Kafka is back.
 */
export function judgeOutbox(producer: string, state: { backlog: number; oldestAt: Date | null }, nowMs: number, limits: OutboxLimits): HealthCheckResult {
  const oldestAgeMs = state.oldestAt ? Math.max(0, nowMs - state.oldestAt.getTime()) : 0;
  const details: Record<string, unknown> = { producer, backlog: state.backlog, oldestAgeMs };
  const reasons: string[] = [];
  if (state.backlog > limits.maxBacklog) reasons.push(`${state.backlog} unpublished events (HEALTH_OUTBOX_MAX_BACKLOG ${limits.maxBacklog})`);
  if (oldestAgeMs > limits.maxAgeMs) reasons.push(`oldest unpublished event waiting ${oldestAgeMs} ms (HEALTH_OUTBOX_MAX_AGE_MS ${limits.maxAgeMs})`);
  return reasons.length ? { status: 'degraded', details: { ...details, reason: reasons.join('; ') } } : { status: 'up', details };
}

/**
 * Consumer groups that run but have not reached Kafka (join, heartbeat or fetch) for longer than
 * maxSilenceMs. Groups on a bus without a broker (no lastContactAt) and groups not running are left to
 * the down check (isConsumerDown).
 */
export function silentGroups(groups: readonly ConsumerStatus[], nowMs: number, maxSilenceMs: number): Array<{ group: string; silentMs: number }> {
  const out: Array<{ group: string; silentMs: number }> = [];
  for (const g of groups) {
    if (g.state !== 'running' || g.lastContactAt === undefined) continue;
    const last = g.lastContactAt === null ? Date.parse(g.since) : Date.parse(g.lastContactAt);
    const silentMs = nowMs - last;
    if (silentMs > maxSilenceMs) out.push({ group: g.group, silentMs });
  }
  return out;
}

import { fnv1a } from '../placement/consistent-hash.placement';

// Identities and deterministic offsets of ticks. Every replica computes the same values from the
// schedule id and the tick's scheduled instant alone, so they agree without talking to each other.

/** `<scheduleId>@<scheduled instant, ISO 8601 UTC with ms>`: one per tick of a schedule. */
export function tickKey(scheduleId: string, scheduledAtMs: number): string {
  return `${scheduleId}@${new Date(scheduledAtMs).toISOString()}`;
}

/**
 * `<tickKey>#<shard index>`: the unique key of one shard's task, the same triple (schedule_id,
 * tick_at, shard) that PostgreSQL's unique index holds; used as the task's idempotency key.
 */
export function shardTickKey(scheduleId: string, scheduledAtMs: number, shardIndex: number): string {
  return `${tickKey(scheduleId, scheduledAtMs)}#${shardIndex}`;
}

/** Murmur3's 32-bit finaliser: spreads FNV-1a's weak low bits before a modulo. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of a string (FNV-1a + murmur3 finaliser); stable across processes. */
export function stableHash32(s: string): number {
  return fmix32(fnv1a(s));
}

/**
 * The tick's jitter in [0, maxJitterMs]: a hash of (schedule, tick), so every replica delays the
 * same tick by the same amount and a re-planned tick keeps its firing instant.
 */
export function tickJitterMs(scheduleId: string, scheduledAtMs: number, maxJitterMs: number): number {
  if (maxJitterMs <= 0) return 0;
  return stableHash32(`${scheduleId}|${scheduledAtMs}`) % (Math.floor(maxJitterMs) + 1);
}

/** The planning partition a schedule belongs to (hash-partitioned by id; see docs/architecture.md). */
export function schedulePartition(scheduleId: string, partitionCount: number): number {
  return stableHash32(scheduleId) % partitionCount;
}

import type { Schedule } from '@kairos/contracts';
import type { ScheduleRuntimeState, TickBatch } from './schedule-runtime';

// The persistence the firing loop needs, as a port the follow-up implements over PostgreSQL
// (docs/architecture.md, "Schedules"). Every method is one statement or one short transaction;
// none is called per schedule at firing time.

/** A replica's hold on one planning partition (schedules are hash-partitioned by id). */
export interface PartitionLease {
  readonly partition: number;
  readonly owner: string;
  /** Increases each time the partition changes hands; fences writes by a previous owner. */
  readonly token: number;
  readonly expiresAtMs: number;
}

export interface StoredSchedule {
  readonly schedule: Schedule;
  readonly state: ScheduleRuntimeState;
  /** Monotonic change number, for incremental reloads. */
  readonly revision: number;
}

export interface ScheduleChanges {
  readonly upserted: readonly StoredSchedule[];
  readonly deleted: readonly string[];
  /** Pass back as `sinceRevision` on the next load. */
  readonly revision: number;
}

export interface TickCommitResult {
  /** False when the owner no longer holds a lease it wrote under: nothing was written; replan. */
  readonly accepted: boolean;
  /** Shard keys whose rows this commit inserted; the others existed already (fired by another replica). */
  readonly inserted: ReadonlySet<string>;
  /** Task (or workflow) id of each inserted shard key. */
  readonly runIds: ReadonlyMap<string, string>;
}

export interface ScheduleStore {
  /**
   * Takes free or expired partitions up to `want` and renews the owner's own, each for `ttlMs`;
   * returns every lease the owner holds afterwards.
   */
  claimPartitions(owner: string, want: number, ttlMs: number): Promise<readonly PartitionLease[]>;
  releasePartitions(owner: string, partitions: readonly number[]): Promise<void>;
  /** Schedules of these partitions with their durable state, changed after `sinceRevision` (all if omitted). */
  loadSchedules(partitions: readonly number[], sinceRevision?: number): Promise<ScheduleChanges>;
  /**
   * Writes one TickBatch atomically under the given leases: one task (or workflow) row and one tick
   * row per fired shard with ON CONFLICT (schedule_id, tick_at, shard) DO NOTHING, one row per
   * skipped tick, the misfire summaries, cancellation of replaced runs, and each schedule's cursor
   * and breaker state. Fenced: rejected if any lease token is stale.
   */
  commitTicks(owner: string, leases: readonly PartitionLease[], batch: TickBatch): Promise<TickCommitResult>;
}

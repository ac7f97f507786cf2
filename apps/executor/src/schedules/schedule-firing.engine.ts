import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT, makeEnvelope, type Envelope } from '@kairos/contracts';
import {
  compileSchedule,
  initialCursor,
  schedulePartition,
  ScheduleRuntime,
  TickPlannerLoop,
  TickWheel,
  type BreakerOutcome,
  type PartitionLease,
  type PlannedTick,
  type TickBatch,
  type TimerService,
} from '@kairos/scheduling-core';
import type { FiredShardRow, LoadedSchedule, ScheduleRepository, StateRow, TickWrite } from './schedule.repository';

export interface FiringEngineOptions {
  /** This replica's planner identity (lease owner). */
  readonly owner: string;
  /** Hash partitions of the schedules (the same on every replica). */
  readonly partitionCount: number;
  /** Planning lease time to live; renewed every ttl/3. A dead replica's schedules move after this. */
  readonly leaseTtlMs: number;
  /** How often definitions are reloaded (changes by revision). */
  readonly reloadEveryMs: number;
  /** How often the outcomes of fired tasks are read (breaker, concurrency). */
  readonly outcomeEveryMs: number;
  readonly horizonMs?: number;
  readonly refillEveryMs?: number;
  /**
   * Ticks are decided (and their tasks written, not to start before the instant) this long before
   * their instant, when nothing can change the decision by then (ScheduleRuntime.decideAhead); the
   * others are decided at the instant. 0: every tick at its instant.
   */
  readonly leadMs?: number;
}

export interface FiringEngineHooks {
  /** Tasks were inserted: the executor should schedule now, and the outbox relay publish. */
  onFired(count: number): void;
  onError(err: unknown, what: string): void;
}

export interface FiringEngineStats {
  partitions: number;
  schedules: number;
  ticksFired: number;
  shardsInserted: number;
  /** Shards another replica had inserted already (the unique key refused ours). */
  shardsDuplicateRefused: number;
  ticksSkipped: number;
  writesRejected: number;
  activeTasks: number;
}

interface Tracked {
  readonly scheduleId: string;
  readonly tickKey: string;
  readonly shardKey: string;
}

const WRITE_RETRIES = 4;
const OUTCOME: Record<string, BreakerOutcome> = { succeeded: 'succeeded', cancelled: 'cancelled' };

/**
 * One replica's schedule firing: holds planning leases over hash partitions, loads its partitions'
 * schedules, plans their ticks a few seconds ahead (TickPlannerLoop), decides each due tick
 * (ScheduleRuntime: misfire, concurrency, breaker) and writes each batch in one fenced transaction
 * whose unique key (schedule, tick, shard) makes each tick fire once cluster-wide. Outcomes of the
 * tasks it fired are read back by polling and fed to the breaker. Framework-free: the Nest service
 * binds it to the clock, the repository and the executor.
 */
export class ScheduleFiringEngine {
  private readonly runtime = new ScheduleRuntime();
  private readonly planner: TickPlannerLoop;
  /** Ticks decideAhead left for their instant. */
  private readonly atInstant: TickWheel<PlannedTick>;
  private leases = new Map<number, PartitionLease>();
  private readonly known = new Map<string, { revision: number; partition: number; tenant: string }>();
  private maxRevision: number | null = null;
  private readonly active = new Map<string, Tracked>();
  private readonly taskOfShard = new Map<string, string>();
  private pending: TickBatch[] = [];
  private pendingStates = new Map<string, StateRow>();
  private writing: Promise<void> | null = null;
  private readonly cancels: Array<() => void> = [];
  private running = false;
  private readonly stats: FiringEngineStats = { partitions: 0, schedules: 0, ticksFired: 0, shardsInserted: 0, shardsDuplicateRefused: 0, ticksSkipped: 0, writesRejected: 0, activeTasks: 0 };
  private busy = { leases: false, reload: false, outcomes: false };

  constructor(
    private readonly repo: ScheduleRepository,
    private readonly timer: TimerService,
    private readonly options: FiringEngineOptions,
    private readonly hooks: FiringEngineHooks,
  ) {
    const leadMs = options.leadMs ?? 0;
    this.atInstant = new TickWheel<PlannedTick>(timer, (due, now) => this.enqueue(this.runtime.decideDeferred(due.map((d) => d.item), now)));
    this.planner = new TickPlannerLoop(
      timer,
      {
        onPlanned: (ticks) => this.runtime.prepare(ticks),
        onDue: (ticks, now) => {
          if (leadMs === 0) return this.enqueue(this.runtime.decide(ticks, now));
          const ahead = this.runtime.decideAhead(ticks, now);
          for (const t of ahead.deferred) this.atInstant.add(t.fireAtMs, t);
          this.enqueue(ahead.batch);
        },
        onMissed: (records, summary, now) => this.enqueue(this.runtime.missed(records, summary, now)),
      },
      { horizonMs: options.horizonMs ?? 3_000, refillEveryMs: options.refillEveryMs ?? 500, leadMs },
    );
  }

  async start(): Promise<void> {
    this.running = true;
    await this.maintainLeases();
    this.planner.start();
    this.atInstant.resume();
    this.every(Math.max(100, Math.floor(this.options.leaseTtlMs / 3)), () => this.guard('leases', () => this.maintainLeases()));
    this.every(this.options.reloadEveryMs, () => this.guard('reload', () => this.reload()));
    this.every(this.options.outcomeEveryMs, () => this.guard('outcomes', () => this.readOutcomes()));
  }

  /** Stops planning and firing; releases the leases so another replica takes over at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const c of this.cancels.splice(0)) c();
    this.planner.stop();
    this.atInstant.stop();
    await this.writing;
    await this.repo.releaseAll(this.options.owner).catch((err: unknown) => this.hooks.onError(err, 'release leases'));
  }

  /**
   * Stops planning and firing but keeps the leases, as a process killed with SIGKILL leaves them:
   * another replica takes the partitions once they expire. Used by tests of the hand-over.
   */
  async crashForTest(): Promise<void> {
    this.running = false;
    for (const c of this.cancels.splice(0)) c();
    this.planner.stop();
    this.atInstant.stop();
    await this.writing;
  }

  getStats(): FiringEngineStats {
    return { ...this.stats, partitions: this.leases.size, schedules: this.known.size, activeTasks: this.active.size };
  }

  /** The breaker of a schedule this replica plans (undefined: not planned here). */
  breakerOf(scheduleId: string) {
    return this.runtime.breakerOf(scheduleId);
  }

  /** Reloads changed definitions now (tests; also run every reloadEveryMs). */
  async reload(): Promise<void> {
    const parts = [...this.leases.keys()];
    const rows = await this.repo.loadSchedules(parts, this.options.partitionCount, this.maxRevision);
    await this.apply(rows);
  }

  private every(ms: number, fn: () => void): void {
    let cancel = (): void => undefined;
    const loop = (): void => {
      if (!this.running) return;
      fn();
      cancel = this.timer.setTimer(ms, loop);
    };
    cancel = this.timer.setTimer(ms, loop);
    this.cancels.push(() => cancel());
  }

  private guard(what: keyof ScheduleFiringEngine['busy'], fn: () => Promise<void>): void {
    if (this.busy[what]) return;
    this.busy[what] = true;
    fn()
      .catch((err: unknown) => this.hooks.onError(err, what))
      .finally(() => (this.busy[what] = false));
  }

  async maintainLeases(): Promise<void> {
    const held = await this.repo.claimPartitions(this.options.owner, this.options.partitionCount, this.options.leaseTtlMs);
    const next = new Map(held.map((l) => [l.partition, l]));
    const lost = [...this.leases.keys()].filter((p) => next.get(p)?.token !== this.leases.get(p)?.token);
    const gained = held.filter((l) => this.leases.get(l.partition)?.token !== l.token).map((l) => l.partition);
    this.leases = next;
    if (lost.length > 0) this.forgetPartitions(new Set(lost));
    if (gained.length > 0) await this.apply(await this.repo.loadSchedules(gained, this.options.partitionCount, null), true);
  }

  /** Drops these partitions' schedules from memory and loads them again from the durable state. */
  private async resync(partitions: readonly number[]): Promise<void> {
    this.forgetPartitions(new Set(partitions));
    await this.apply(await this.repo.loadSchedules(partitions, this.options.partitionCount, null), true);
  }

  private forgetPartitions(parts: Set<number>): void {
    for (const [id, k] of this.known) {
      if (!parts.has(k.partition)) continue;
      this.known.delete(id);
      this.planner.remove(id);
      this.runtime.remove(id);
    }
    for (const [taskId, t] of this.active) {
      if (this.known.has(t.scheduleId)) continue;
      this.active.delete(taskId);
      this.taskOfShard.delete(t.shardKey);
    }
  }

  private async apply(rows: readonly LoadedSchedule[], takeOver = false): Promise<void> {
    const fresh = rows.filter((r) => !r.deleted && !this.known.has(r.schedule.id));
    const activeRuns = takeOver && fresh.length > 0 ? await this.repo.loadActiveRuns(fresh.map((r) => r.schedule.id)) : [];
    const runsOf = new Map<string, typeof activeRuns>();
    for (const run of activeRuns) runsOf.set(run.scheduleId, [...(runsOf.get(run.scheduleId) ?? []), run]);
    for (const r of rows) {
      const id = r.schedule.id;
      this.maxRevision = Math.max(this.maxRevision ?? 0, r.revision);
      const partition = schedulePartition(id, this.options.partitionCount);
      if (!this.leases.has(partition)) continue;
      const prev = this.known.get(id);
      if (r.deleted) {
        if (prev !== undefined) {
          this.known.delete(id);
          this.planner.remove(id);
          this.runtime.remove(id);
        }
        continue;
      }
      if (prev !== undefined && prev.revision >= r.revision) continue;
      this.known.set(id, { revision: r.revision, partition, tenant: r.tenant });
      const compiled = compileSchedule(r.schedule);
      if (prev !== undefined) {
        this.planner.upsert(compiled);
        this.runtime.upsert(r.schedule);
        continue;
      }
      const cursor = r.decidedThroughMs !== null ? { decidedThroughMs: r.decidedThroughMs } : initialCursor(compiled);
      const runs = runsOf.get(id) ?? [];
      for (const run of runs) {
        for (const [shardKey, taskId] of run.taskIds) {
          this.active.set(taskId, { scheduleId: id, tickKey: run.tickKey, shardKey });
          this.taskOfShard.set(shardKey, taskId);
        }
      }
      this.runtime.upsert(r.schedule, { decidedThroughMs: cursor.decidedThroughMs, breaker: r.breaker, active: runs });
      this.planner.upsert(compiled, cursor);
    }
  }

  private enqueue(batch: TickBatch): void {
    if (batch.fired.length === 0 && batch.skipped.length === 0 && batch.states.length === 0 && batch.misfires.length === 0) return;
    this.pending.push(batch);
    this.flush();
  }

  /** One write at a time; batches that came due meanwhile are merged into the next write. */
  private flush(): void {
    if (this.writing !== null || (this.pending.length === 0 && this.pendingStates.size === 0)) return;
    const batches = this.pending;
    const extraStates = this.pendingStates;
    this.pending = [];
    this.pendingStates = new Map();
    this.writing = this.write(batches, extraStates)
      .catch((err: unknown) => this.hooks.onError(err, 'write ticks'))
      .finally(() => {
        this.writing = null;
        this.flush();
      });
  }

  private async write(batches: readonly TickBatch[], extraStates: Map<string, StateRow>): Promise<void> {
    const fired: FiredShardRow[] = [];
    const cancels: Envelope<'task.cancel.requested.v1'>[] = [];
    const states = new Map(extraStates);
    const skipped = batches.flatMap((b) => b.skipped);
    const trackedNow: Array<[string, Tracked]> = [];
    let ticks = 0;
    for (const b of batches) {
      for (const s of b.states) states.set(s.scheduleId, s);
      for (const f of b.fired) {
        ticks++;
        for (const c of f.cancel) {
          for (const key of c.shardKeys) {
            const taskId = this.taskOfShard.get(key);
            if (taskId === undefined) continue;
            cancels.push(makeEnvelope('task.cancel.requested.v1', taskId, { taskId, requestedAt: new Date(b.atMs).toISOString() }));
            this.active.delete(taskId);
            this.taskOfShard.delete(key);
          }
        }
        for (const sub of f.submissions) {
          if (sub.kind !== 'task') continue; // the gateway accepts task templates only (workflow templates: not yet)
          const taskId = randomUUID();
          const t = sub.task;
          const event = makeEnvelope(
            'task.queued.v1',
            taskId,
            { taskId, name: t.name ?? null, queue: t.queue, priority: t.priority, run: t.run, resources: t.resources, timeoutMs: t.timeoutMs, maxAttempts: t.maxAttempts, submittedAt: new Date(b.atMs).toISOString(), tenant: this.known.get(f.tick.scheduleId)?.tenant ?? DEFAULT_TENANT },
            { occurredAt: new Date(b.atMs) },
          );
          fired.push({
            scheduleId: f.tick.scheduleId, tickAtMs: f.tick.scheduledAtMs, shard: sub.shardIndex, shardCount: sub.shardCount, taskId,
            fireAtMs: f.tick.fireAtMs, firedAtMs: f.firedAtMs, runAfterMs: f.runAfterMs, catchUp: f.tick.catchUp, trial: f.trial, idempotencyKey: sub.key, event, labels: t.labels,
          });
          trackedNow.push([taskId, { scheduleId: f.tick.scheduleId, tickKey: f.tick.key, shardKey: sub.key }]);
        }
      }
    }
    const touched = new Set<string>([...fired.map((f) => f.scheduleId), ...skipped.map((s) => s.scheduleId), ...states.keys()]);
    const partitions = [...new Set([...touched].map((id) => schedulePartition(id, this.options.partitionCount)))];
    const write: TickWrite = { fired, skipped, misfires: batches.flatMap((b) => b.misfires), states: [...states.values()], cancels };
    // A failed write (connection lost, serialization) rolled back: retry the same rows a few times so the
    // ticks it decided are not dropped while this replica still holds their partitions.
    let result: Awaited<ReturnType<ScheduleRepository['writeTicks']>> | null = null;
    for (let attempt = 0; result === null; attempt++) {
      try {
        result = await this.repo.writeTicks(this.options.owner, [...this.leases.values()], partitions, write);
      } catch (err) {
        if (attempt >= WRITE_RETRIES || !this.running) throw err;
        this.hooks.onError(err, `write ticks (attempt ${attempt + 1}, retrying)`);
        await new Promise<void>((r) => this.timer.setTimer(100 * 2 ** attempt, r));
      }
    }
    if (!result.accepted) {
      // A partition of this batch changed hands (or was given back): its new owner replans it from the
      // durable cursor. The batch's other partitions are still ours, but their ticks were decided in
      // memory and not written: reload those schedules from their durable cursor so they fire (late).
      this.stats.writesRejected++;
      await this.maintainLeases();
      const held = partitions.filter((p) => this.leases.has(p));
      if (held.length > 0) await this.resync(held);
      return;
    }
    this.stats.ticksFired += ticks;
    this.stats.ticksSkipped += skipped.length;
    for (const [taskId, t] of trackedNow) {
      if (result.inserted.has(taskId)) {
        this.stats.shardsInserted++;
        this.active.set(taskId, t);
        this.taskOfShard.set(t.shardKey, taskId);
      } else {
        // Another replica fired this shard already: not ours to track; neutral for the breaker.
        this.stats.shardsDuplicateRefused++;
        this.runtime.onShardEnded(t.scheduleId, t.tickKey, t.shardKey, 'cancelled', this.timer.nowMs());
      }
    }
    if (result.inserted.size > 0) this.hooks.onFired(result.inserted.size);
  }

  /** Reads which fired tasks ended and feeds their outcomes to the runtime (breaker, concurrency). */
  async readOutcomes(): Promise<void> {
    const ids = [...this.active.keys()];
    for (let i = 0; i < ids.length; i += 5_000) {
      const ended = await this.repo.endedTasks(ids.slice(i, i + 5_000));
      for (const e of ended) {
        const t = this.active.get(e.taskId);
        if (t === undefined) continue;
        this.active.delete(e.taskId);
        this.taskOfShard.delete(t.shardKey);
        const update = this.runtime.onShardEnded(t.scheduleId, t.tickKey, t.shardKey, OUTCOME[e.status] ?? 'failed', e.finishedAtMs ?? this.timer.nowMs());
        if (update !== null) this.pendingStates.set(update.scheduleId, update);
      }
    }
    this.flush();
  }
}

import { ScheduleSchema, type Schedule, type ScheduleInput } from '@kairos/contracts';
import { CLOSED_BREAKER, ManualTimer, type PartitionLease } from '@kairos/scheduling-core';
import { ScheduleFiringEngine } from './schedule-firing.engine';
import type { LoadedSchedule, ScheduleRepository, TaskOutcomeRow, TickWrite, TickWriteResult } from './schedule.repository';

const T0 = Date.parse('2026-11-30T00:00:00.000Z');
const schedule = (over: Partial<ScheduleInput> = {}): Schedule =>
  ScheduleSchema.parse({
    id: 'sched-1',
    createdAt: new Date(T0).toISOString(),
    name: 'every second',
    template: { kind: 'task', task: { run: { kind: 'noop', sleepMs: 0 } } },
    trigger: { kind: 'interval', everyMs: 1_000 },
    ...over,
  });

/** An in-memory repository: one owner holds every partition; writes are recorded (or fail on demand). */
class FakeRepo implements ScheduleRepository {
  token = 1;
  schedules: LoadedSchedule[] = [];
  writes: TickWrite[] = [];
  failNext = 0;
  rejectNext = 0;
  claims = 0;
  ended: TaskOutcomeRow[] = [];
  async claimPartitions(owner: string, partitionCount: number): Promise<PartitionLease[]> {
    this.claims++;
    return Array.from({ length: partitionCount }, (_, partition) => ({ partition, owner, token: this.token, expiresAtMs: Infinity }));
  }
  async releaseAll(): Promise<void> {}
  /** Durable cursors, as writeTicks would persist them. */
  cursors = new Map<string, number>();
  async loadSchedules(): Promise<LoadedSchedule[]> {
    return this.schedules.map((s) => ({ ...s, decidedThroughMs: this.cursors.get(s.schedule.id) ?? s.decidedThroughMs }));
  }
  async loadActiveRuns() {
    return [];
  }
  async writeTicks(_o: string, _l: readonly PartitionLease[], _p: readonly number[], write: TickWrite): Promise<TickWriteResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
    if (this.rejectNext > 0) {
      this.rejectNext--;
      return { accepted: false, inserted: new Set() };
    }
    this.writes.push(write);
    for (const st of write.states) this.cursors.set(st.scheduleId, Math.max(this.cursors.get(st.scheduleId) ?? -Infinity, st.decidedThroughMs));
    return { accepted: true, inserted: new Set(write.fired.map((f) => f.taskId)) };
  }
  async endedTasks(ids: readonly string[]): Promise<TaskOutcomeRow[]> {
    return this.ended.filter((e) => ids.includes(e.taskId));
  }
}

describe('ScheduleFiringEngine', () => {
  let timer: ManualTimer;
  let repo: FakeRepo;
  let fired: number[];
  let errors: string[];
  let engine: ScheduleFiringEngine;
  const settle = async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  const step = async (ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      timer.advanceBy(50);
      await settle();
    }
  };

  beforeEach(async () => {
    timer = new ManualTimer(T0);
    repo = new FakeRepo();
    fired = [];
    errors = [];
    engine = new ScheduleFiringEngine(repo, timer, { owner: 'exec-1', partitionCount: 4, leaseTtlMs: 3_000, reloadEveryMs: 500, outcomeEveryMs: 250 }, {
      onFired: (n) => fired.push(n),
      onError: (_err, what) => errors.push(what),
    });
  });
  afterEach(async () => {
    await engine.stop();
  });

  const start = async (s: Schedule) => {
    repo.schedules = [{ schedule: s, tenant: 'default', revision: 1, deleted: false, decidedThroughMs: null, breaker: CLOSED_BREAKER }];
    await engine.start();
  };

  it('fires each tick once with the shard key as idempotency key, the schedule labels and the shard env', async () => {
    await start(schedule({ shards: 2, template: { kind: 'task', task: { run: { kind: 'shell', command: ['true'] } } } }));
    await step(3_100);
    const rows = repo.writes.flatMap((w) => w.fired);
    expect(rows.map((r) => `${new Date(r.tickAtMs).toISOString()}#${r.shard}`)).toEqual([
      '2026-11-30T00:00:01.000Z#0', '2026-11-30T00:00:01.000Z#1', '2026-11-30T00:00:02.000Z#0', '2026-11-30T00:00:02.000Z#1', '2026-11-30T00:00:03.000Z#0', '2026-11-30T00:00:03.000Z#1',
    ]);
    const first = rows[1];
    expect(first?.idempotencyKey).toBe('sched-1@2026-11-30T00:00:01.000Z#1');
    expect(first?.labels).toMatchObject({ 'kairos.schedule': 'sched-1', 'kairos.shard-index': '1', 'kairos.shard-count': '2' });
    expect(first?.event.payload.run).toMatchObject({ env: { KAIROS_SHARD_INDEX: '1', KAIROS_SHARD_COUNT: '2' } });
    expect(fired.reduce((a, b) => a + b, 0)).toBe(6);
    // The cursor travels with the ticks it covers.
    expect(repo.writes.at(-1)?.states).toEqual([{ scheduleId: 'sched-1', decidedThroughMs: T0 + 3_000, breaker: CLOSED_BREAKER }]);
  });

  it('retries a write that failed, so the tick is not dropped', async () => {
    await start(schedule());
    repo.failNext = 2;
    await step(1_600);
    expect(repo.writes.flatMap((w) => w.fired).map((r) => r.tickAtMs)).toEqual([T0 + 1_000]);
    expect(errors).toEqual(['write ticks (attempt 1, retrying)', 'write ticks (attempt 2, retrying)']);
  });

  it('a write refused by the fence re-reads the leases and replans the partitions still held from the durable cursor (the tick fires late, not never)', async () => {
    await start(schedule());
    const claimsBefore = repo.claims;
    repo.rejectNext = 1;
    await step(2_100);
    expect(engine.getStats().writesRejected).toBe(1);
    expect(repo.claims).toBeGreaterThan(claimsBefore);
    expect(repo.writes.flatMap((w) => w.fired).map((r) => r.tickAtMs)).toEqual([T0 + 1_000, T0 + 2_000]);
  });

  it('feeds ended tasks to the breaker and persists the state when it opens', async () => {
    await start(schedule({ circuitBreaker: { failureThreshold: 2, cooldownMs: 10_000 } }));
    await step(2_100);
    const ids = repo.writes.flatMap((w) => w.fired).map((f) => f.taskId);
    expect(ids).toHaveLength(2);
    repo.ended = ids.map((taskId) => ({ taskId, status: 'failed', startedAtMs: T0 + 2_000, finishedAtMs: T0 + 2_050 }));
    await step(300);
    expect(engine.breakerOf('sched-1')).toMatchObject({ status: 'open', consecutiveFailures: 2 });
    expect(repo.writes.flatMap((w) => w.states).some((s) => s.breaker.status === 'open')).toBe(true);
    await step(2_000);
    expect(repo.writes.flatMap((w) => w.skipped).map((s) => s.skipReason)).toContain('circuit_open');
  });

  it.each([
    ['spring forward: 02:30 does not exist, fires once at 03:00 CEST', '2025-03-30T00:00:00.000Z', ['2025-03-30T01:00:00.000Z']],
    ['fall back: 02:30 happens twice, fires once at the first (CEST)', '2025-10-26T00:00:00.000Z', ['2025-10-26T00:30:00.000Z']],
  ])('a daily 02:30 Europe/Berlin cron across DST — %s', async (_name, startIso, expected) => {
    const start0 = Date.parse(startIso);
    timer = new ManualTimer(start0);
    engine = new ScheduleFiringEngine(repo, timer, { owner: 'exec-1', partitionCount: 4, leaseTtlMs: 60_000, reloadEveryMs: 30_000, outcomeEveryMs: 30_000 }, {
      onFired: () => undefined,
      onError: (_err, what) => errors.push(what),
    });
    await start(schedule({ createdAt: startIso, trigger: { kind: 'cron', expression: '0 30 2 * * *', timezone: 'Europe/Berlin' } }));
    for (let t = 0; t < 3 * 3_600_000; t += 500) {
      timer.advanceBy(500);
      await settle();
    }
    expect(repo.writes.flatMap((w) => w.fired).map((r) => new Date(r.tickAtMs).toISOString())).toEqual(expected);
    expect(errors).toEqual([]);
  });

  it('with a lead, writes each tick ahead with run_after = its instant; a forbid tick whose previous run is still active is decided at its instant', async () => {
    engine = new ScheduleFiringEngine(repo, timer, { owner: 'exec-1', partitionCount: 4, leaseTtlMs: 3_000, reloadEveryMs: 500, outcomeEveryMs: 250, leadMs: 400 }, {
      onFired: (n) => fired.push(n),
      onError: (_err, what) => errors.push(what),
    });
    await start(schedule({ concurrency: 'forbid' }));
    await step(700);
    const first = repo.writes.flatMap((w) => w.fired);
    expect(first.map((f) => [f.tickAtMs - T0, f.runAfterMs! - T0, f.firedAtMs - T0])).toEqual([[1_000, 1_000, 600]]);
    // Tick 2 s comes up for its decision at 1.6 s while tick 1 s still runs: left for its instant.
    await step(1_000);
    expect(repo.writes.flatMap((w) => w.fired)).toHaveLength(1);
    repo.ended = [{ taskId: first[0]!.taskId, status: 'succeeded', startedAtMs: T0 + 1_000, finishedAtMs: T0 + 1_800 }];
    await step(400);
    const second = repo.writes.flatMap((w) => w.fired).slice(1);
    expect(second.map((f) => [f.tickAtMs - T0, f.runAfterMs ?? null])).toEqual([[2_000, null]]);
    expect(repo.writes.flatMap((w) => w.skipped)).toEqual([]);
  });
});

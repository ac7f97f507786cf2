import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnvelope, ScheduleSchema, type ScheduleInput } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { schedulePartition, stableHash32 } from '@kairos/scheduling-core';
import { createTestDatabase } from '@kairos/testing';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { realTimer } from '@kairos/platform';
import { ScheduleFiringEngine } from '../src/schedules/schedule-firing.engine';
import { PgScheduleRepository } from '../src/schedules/schedule.repository';

// The firing loop live on PostgreSQL: engines (one per simulated executor replica) with the real
// clock and the real repository; no runners, so the test itself plays the executor by ending tasks.

const P = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedule firing on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  const engines: ScheduleFiringEngine[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    await db.query(`DELETE FROM schedule_partitions`);
    await db.query(`DELETE FROM schedule_planners`);
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const engine = (owner: string, leaseTtlMs = 2_000): ScheduleFiringEngine => {
    const e = new ScheduleFiringEngine(new PgScheduleRepository(db), realTimer, { owner, partitionCount: P, leaseTtlMs, reloadEveryMs: 200, outcomeEveryMs: 100 }, {
      onFired: () => undefined,
      onError: (err, what) => errors.push(`${owner} ${what}: ${String(err)}`),
    });
    engines.push(e);
    return e;
  };

  /** A schedule row as the gateway writes it; `decidedThroughMs` simulates an earlier owner's cursor. */
  const insertSchedule = async (over: Partial<ScheduleInput>, decidedThroughMs?: number): Promise<string> => {
    const id = randomUUID();
    const s = ScheduleSchema.parse({
      id,
      createdAt: new Date(Date.now() - 1).toISOString(),
      name: `s-${id.slice(0, 6)}`,
      template: { kind: 'task', task: { run: { kind: 'noop', sleepMs: 0 } } },
      trigger: { kind: 'interval', everyMs: 1_000 },
      ...over,
    });
    await db.query(`INSERT INTO schedules (id, name, definition, paused, hash) VALUES ($1, $2, $3::jsonb, $4, $5)`, [id, s.name, JSON.stringify(s), s.paused, stableHash32(id)]);
    if (decidedThroughMs !== undefined) {
      await db.query(`INSERT INTO schedule_state (schedule_id, decided_through, breaker) VALUES ($1, $2, '{"status":"closed","consecutiveFailures":0}')`, [id, new Date(decidedThroughMs).toISOString()]);
    }
    return id;
  };

  const ticks = (id: string) =>
    db.query<{ tick_at: Date; shard: number; outcome: string; skip_reason: string | null; task_id: string | null; catch_up: boolean; trial: boolean }>(
      `SELECT tick_at, shard, outcome, skip_reason, task_id, catch_up, trial FROM schedule_ticks WHERE schedule_id = $1 ORDER BY tick_at, shard`,
      [id],
    );
  const fired = async (id: string) => (await ticks(id)).filter((t) => t.outcome === 'fired');
  /** Ends every task of the schedule still queued, as the executor would. */
  const endTasks = (id: string, status: 'succeeded' | 'failed') =>
    db.query(
      `UPDATE tasks SET status = $2, started_at = now(), finished_at = now() WHERE status IN ('queued', 'running') AND id IN (SELECT task_id FROM schedule_ticks WHERE schedule_id = $1)`,
      [id, status],
    );

  /** Every tick of a 1 s interval between the first and last fired one fired exactly once. */
  const expectContiguous = (rows: { tick_at: Date; shard: number }[], shards = 1): void => {
    const times = rows.map((r) => new Date(r.tick_at).getTime());
    const keys = rows.map((r) => `${new Date(r.tick_at).toISOString()}#${r.shard}`);
    expect(new Set(keys).size).toBe(keys.length);
    const distinct = [...new Set(times)].sort((a, b) => a - b);
    expect(rows.length).toBe(distinct.length * shards);
    for (let i = 1; i < distinct.length; i++) expect((distinct[i] as number) - (distinct[i - 1] as number)).toBe(1_000);
  };

  it('two replicas split the partitions and fire each tick of each schedule exactly once; a replica stopping dead hands over without gaps', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => insertSchedule({ shards: 2 })));
    const a = engine('replica-a');
    const b = engine('replica-b');
    await a.start();
    await b.start();
    await sleep(3_500);
    expect(a.getStats().partitions + b.getStats().partitions).toBe(P);
    expect(a.getStats().partitions).toBeGreaterThan(0);
    expect(b.getStats().partitions).toBeGreaterThan(0);
    // "kill -9" of a: its timers stop, its leases are not released; b takes them after the TTL.
    await a.crashForTest();
    await sleep(5_000);
    expect(b.getStats().partitions).toBe(P);
    await b.stop();
    for (const id of ids) {
      const rows = await fired(id);
      expect(rows.length).toBeGreaterThanOrEqual(2 * 6);
      expectContiguous(rows, 2);
      const tasks = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE labels->>'kairos.schedule' = $1`, [id]);
      expect(tasks[0]?.n).toBe(rows.length);
    }
  }, 30_000);

  it('a write under a lease that changed hands is rejected (fencing); the unique key refuses a second firing of a tick', async () => {
    const repo = new PgScheduleRepository(db);
    const [lease] = (await repo.claimPartitions('fence-a', 1, 60_000)).filter((l) => l.partition === 0);
    expect(lease).toBeDefined();
    if (lease === undefined) return;
    const stale = { ...lease, token: lease.token - 1 };
    const empty = { fired: [], skipped: [], misfires: [], states: [], cancels: [] };
    expect((await repo.writeTicks('fence-a', [stale], [0], empty)).accepted).toBe(false);
    expect((await repo.writeTicks('fence-b', [lease], [0], empty)).accepted).toBe(false);
    expect((await repo.writeTicks('fence-a', [lease], [0], empty)).accepted).toBe(true);
    // The same tick written twice (as a replica that lost its lease mid-tick and the new owner would):
    // the second write inserts neither tick row nor task.
    const scheduleId = await insertSchedule({});
    const tickAtMs = Date.parse('2026-11-30T00:00:05.000Z');
    const shard = (taskId: string) => ({
      scheduleId, tickAtMs, shard: 0, shardCount: 1, taskId, fireAtMs: tickAtMs, firedAtMs: tickAtMs, catchUp: false, trial: false,
      idempotencyKey: `${scheduleId}@2026-11-30T00:00:05.000Z#0`, labels: { 'kairos.schedule': scheduleId },
      event: makeEnvelope('task.queued.v1', taskId, { taskId, name: null, queue: 'default', priority: 50, run: { kind: 'noop', sleepMs: 0 }, resources: { cpuMillis: 100, memMb: 64, gpu: 0 }, timeoutMs: 1000, maxAttempts: 1, submittedAt: new Date(tickAtMs).toISOString(), tenant: 'default' }),
    });
    const [first, second] = [randomUUID(), randomUUID()];
    const part = schedulePartition(scheduleId, 1);
    expect(part).toBe(0);
    expect([...(await repo.writeTicks('fence-a', [lease], [0], { ...empty, fired: [shard(first)] })).inserted]).toEqual([first]);
    expect([...(await repo.writeTicks('fence-a', [lease], [0], { ...empty, fired: [shard(second)] })).inserted]).toEqual([]);
    const tasks = await db.query<{ id: string }>(`SELECT id FROM tasks WHERE labels->>'kairos.schedule' = $1`, [scheduleId]);
    expect(tasks.map((t) => t.id)).toEqual([first]);
    await repo.releaseAll('fence-a');
  });

  it('a paused schedule fires nothing', async () => {
    const id = await insertSchedule({ paused: true });
    await engine('paused-a').start();
    await sleep(2_500);
    expect(await ticks(id)).toEqual([]);
  }, 15_000);

  it.each([
    ['skip', { rule: 'skip', graceMs: 2_000 }, 0, 'misfire'],
    ['run_once', { rule: 'run_once', graceMs: 2_000 }, 1, 'misfire'],
    ['run_all', { rule: 'run_all', graceMs: 2_000, cap: 3 }, 3, 'misfire_cap_exceeded'],
  ] as const)('misfire rule %s after a 10 s outage: %#', async (_name, misfire, catchUps, reason) => {
    const id = await insertSchedule({ misfire, createdAt: new Date(Date.now() - 20_000).toISOString() }, Date.now() - 10_000);
    await engine(`misfire-${_name}`).start();
    await sleep(1_500);
    const rows = await ticks(id);
    const catchUp = rows.filter((r) => r.outcome === 'fired' && r.catch_up);
    const missed = rows.filter((r) => r.outcome === 'skipped');
    expect(catchUp.length).toBe(catchUps);
    // ~8 ticks fell more than 2 s before the start: each either ran (catch-up) or is recorded.
    expect(missed.length + catchUp.length).toBeGreaterThanOrEqual(7);
    expect(missed.every((m) => m.skip_reason === reason)).toBe(true);
    // Catch-ups are the most recent misses; ticks within grace fire normally (not catch-ups).
    const lastMissed = Math.max(...missed.map((m) => new Date(m.tick_at).getTime()));
    expect(catchUp.every((c) => new Date(c.tick_at).getTime() > lastMissed)).toBe(true);
  }, 15_000);

  it('concurrency forbid skips ticks while the previous run is active, allow fires them all, replace cancels the previous run', async () => {
    const forbid = await insertSchedule({ concurrency: 'forbid' });
    const allow = await insertSchedule({ concurrency: 'allow' });
    const replace = await insertSchedule({ concurrency: 'replace' });
    await engine('concurrency-a').start();
    await sleep(3_600);
    const f = await ticks(forbid);
    expect(f.filter((r) => r.outcome === 'fired').length).toBe(1);
    expect(f.filter((r) => r.outcome === 'skipped').length).toBeGreaterThanOrEqual(2);
    expect(f.filter((r) => r.outcome === 'skipped').every((r) => r.skip_reason === 'previous_run_active')).toBe(true);
    // The run ends: the next tick fires again.
    await endTasks(forbid, 'succeeded');
    await sleep(1_600);
    expect((await fired(forbid)).length).toBe(2);

    expectContiguous(await fired(allow));
    expect((await fired(allow)).length).toBeGreaterThanOrEqual(4);

    const r = await fired(replace);
    expect(r.length).toBeGreaterThanOrEqual(4);
    const cancels = await db.query<{ key: string }>(`SELECT key FROM outbox WHERE topic = 'task.cancel.requested.v1' AND key = ANY($1::text[])`, [r.map((x) => x.task_id)]);
    // Every run but the newest was asked to stop when the next tick replaced it.
    expect(new Set(cancels.map((c) => c.key))).toEqual(new Set(r.slice(0, -1).map((x) => x.task_id)));
  }, 20_000);

  it('circuit breaker: opens after K failed ticks, half-opens after the cool-down with one trial, closes when the trial succeeds', async () => {
    const id = await insertSchedule({ circuitBreaker: { failureThreshold: 2, cooldownMs: 2_000 } });
    await engine('breaker-a').start();
    const state = async () => (await db.query<{ breaker: { status: string } }>(`SELECT breaker FROM schedule_state WHERE schedule_id = $1`, [id]))[0]?.breaker.status;
    // Every run fails at once.
    const failing = setInterval(() => void endTasks(id, 'failed'), 50);
    let opened = false;
    for (let i = 0; i < 60 && !opened; i++) {
      await sleep(100);
      opened = (await state()) === 'open';
    }
    expect(opened).toBe(true);
    await sleep(1_200);
    expect((await ticks(id)).some((t) => t.skip_reason === 'circuit_open')).toBe(true);
    clearInterval(failing);
    // Trial ticks now succeed: wait for the half-open trial, then closed.
    const succeeding = setInterval(() => void endTasks(id, 'succeeded'), 50);
    let closed = false;
    for (let i = 0; i < 60 && !closed; i++) {
      await sleep(100);
      closed = (await state()) === 'closed';
    }
    clearInterval(succeeding);
    expect(closed).toBe(true);
    const rows = await ticks(id);
    const trial = rows.filter((t) => t.trial);
    expect(trial.length).toBe(1);
    // After the trial closed it, ticks fire again.
    await sleep(1_500);
    const after = (await fired(id)).filter((t) => new Date(t.tick_at).getTime() > new Date((trial[0] as { tick_at: Date }).tick_at).getTime());
    expect(after.length).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

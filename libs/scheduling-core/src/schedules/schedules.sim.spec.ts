// Simulator-style test of the whole core across replicas, in virtual time: planner loop + runtime
// + a store that behaves like the follow-up's PostgreSQL (a unique key per (schedule, tick, shard)
// and a durable cursor written in the same commit). Checks exactly-once per tick through a crash,
// a take-over by another replica, an outage longer than the misfire grace, and a zombie replica.
import { ManualTimer } from './manual-timer';
import { compileSchedule, initialCursor, type CompiledSchedule } from './schedule.model';
import { ScheduleRuntime, type TickBatch } from './schedule-runtime';
import { at, makeSchedule } from './test/schedule.factory';
import { TickPlannerLoop } from './tick-planner.loop';

const T0 = at('2025-01-01T00:00:00Z');

class UniqueKeyStore {
  /** shard key → replica that inserted it (the unique index). */
  readonly tasks = new Map<string, string>();
  readonly skipped = new Map<string, string>();
  readonly cursors = new Map<string, number>();
  conflicts = 0;

  commit(replica: string, batch: TickBatch): void {
    for (const f of batch.fired) {
      for (const s of f.submissions) {
        if (this.tasks.has(s.key)) this.conflicts++;
        else this.tasks.set(s.key, replica);
      }
    }
    for (const r of batch.skipped) if (!this.skipped.has(r.tickKey)) this.skipped.set(r.tickKey, r.skipReason ?? '');
    for (const s of batch.states) this.cursors.set(s.scheduleId, Math.max(this.cursors.get(s.scheduleId) ?? -Infinity, s.decidedThroughMs));
  }
}

class Replica {
  readonly runtime = new ScheduleRuntime();
  readonly loop: TickPlannerLoop;
  constructor(
    readonly name: string,
    timer: ManualTimer,
    store: UniqueKeyStore,
    schedules: readonly CompiledSchedule[],
  ) {
    this.loop = new TickPlannerLoop(timer, {
      onDue: (ticks, now) => {
        const batch = this.runtime.decide(ticks, now);
        store.commit(name, batch);
        // Runs end at once, so `forbid` never blocks in this test.
        for (const f of batch.fired) for (const s of f.submissions) this.runtime.onShardEnded(f.tick.scheduleId, f.tick.key, s.key, 'succeeded', now);
      },
      onMissed: (records, summary, now) => store.commit(name, this.runtime.missed(records, summary, now)),
    });
    for (const s of schedules) {
      const durable = store.cursors.get(s.id);
      this.runtime.upsert(s.definition, { decidedThroughMs: durable ?? -Infinity, breaker: { status: 'closed', consecutiveFailures: 0 }, active: [] });
      this.loop.upsert(s, durable !== undefined ? { decidedThroughMs: durable } : initialCursor(s));
    }
    this.loop.start();
  }
}

function schedules(n: number, misfire: 'skip' | 'run_once' | 'run_all' = 'run_once'): CompiledSchedule[] {
  return Array.from({ length: n }, (_, i) =>
    compileSchedule(
      makeSchedule({
        id: `s${i}`,
        shards: i % 5 === 0 ? 3 : 1,
        misfire: { rule: misfire },
        trigger: i % 10 === 0 ? { kind: 'cron', expression: '*/5 * * * * *', timezone: 'UTC' } : { kind: 'interval', everyMs: 5_000, anchor: new Date(T0 + i * 50).toISOString() },
      }),
    ),
  );
}

/** Every (schedule, tick, shard) key due in (T0, end]. */
function expectedKeys(list: readonly CompiledSchedule[], end: number): Set<string> {
  const keys = new Set<string>();
  for (const s of list) {
    for (let t = s.timeline.nextAfter(T0); t !== null && t <= end; t = s.timeline.nextAfter(t)) {
      for (let k = 0; k < s.definition.shards; k++) keys.add(`${s.id}@${new Date(t).toISOString()}#${k}`);
    }
  }
  return keys;
}

describe('schedules across replicas (virtual time)', () => {
  it('a replica killed mid-run and another taking over 20 s later: every tick exactly once, none missed', () => {
    const list = schedules(40);
    const timer = new ManualTimer(T0);
    const store = new UniqueKeyStore();
    const a = new Replica('a', timer, store, list);
    timer.advanceTo(T0 + 100_000 + 2_345);
    a.loop.stop(); // kill -9: its planned ticks are lost with it
    timer.advanceTo(T0 + 122_000); // lease expiry + take-over: 20 s, within the 60 s grace
    new Replica('b', timer, store, list);
    timer.advanceTo(T0 + 300_000);
    const expected = expectedKeys(list, T0 + 300_000 - 1_000);
    for (const k of expected) expect(store.tasks.has(k)).toBe(true);
    expect(store.skipped.size).toBe(0);
    expect(store.conflicts).toBe(0);
    expect([...store.tasks.values()].filter((r) => r === 'b').length).toBeGreaterThan(0);
  });

  it('an outage longer than the grace: run_once runs one catch-up per schedule and records the rest as missed', () => {
    const list = schedules(10, 'run_once');
    const timer = new ManualTimer(T0);
    const store = new UniqueKeyStore();
    const a = new Replica('a', timer, store, list);
    timer.advanceTo(T0 + 30_000);
    a.loop.stop();
    timer.advanceTo(T0 + 200_000);
    new Replica('b', timer, store, list);
    timer.advanceTo(T0 + 200_001);
    const all = expectedKeys(list, T0 + 200_000);
    const tickKeys = new Set([...all].map((k) => k.slice(0, k.lastIndexOf('#'))));
    const fired = new Set([...store.tasks.keys()].map((k) => k.slice(0, k.lastIndexOf('#'))));
    // Every tick is decided exactly once: fired or recorded as missed, never both, none lost.
    for (const k of tickKeys) expect(fired.has(k) !== store.skipped.has(k)).toBe(true);
    expect([...store.skipped.values()].every((r) => r === 'misfire')).toBe(true);
    // Per schedule, of the misfires (older than 60 s at 200 s: ticks in (≈30 s, 140 s]) exactly one ran.
    for (const s of list) {
      const ran = [...fired].filter((k) => k.startsWith(`${s.id}@`)).map((k) => Date.parse(k.slice(k.indexOf('@') + 1)) - T0);
      expect(ran.filter((t) => t > 31_000 && t <= 140_000)).toHaveLength(1);
    }
  });

  it('a zombie replica firing the same schedules as the new owner: the unique key keeps one task per tick', () => {
    const list = schedules(20);
    const timer = new ManualTimer(T0);
    const store = new UniqueKeyStore();
    new Replica('a', timer, store, list);
    timer.advanceTo(T0 + 50_000);
    new Replica('b', timer, store, list); // b takes over while a still runs (a paused VM, a stale lease)
    timer.advanceTo(T0 + 120_000);
    const expected = expectedKeys(list, T0 + 119_000);
    for (const k of expected) expect(store.tasks.has(k)).toBe(true);
    expect(store.conflicts).toBeGreaterThan(0);
    expect(store.tasks.size).toBeLessThanOrEqual(expectedKeys(list, T0 + 120_000).size);
  });
});

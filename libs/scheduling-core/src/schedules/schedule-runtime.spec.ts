import { CLOSED_BREAKER } from './circuit-breaker.state';
import { ScheduleRuntime } from './schedule-runtime';
import { makeSchedule } from './test/schedule.factory';
import { tickKey } from './tick-key';
import type { PlannedTick } from './tick.model';

const tick = (s: number, id = 'sch-1'): PlannedTick => ({ scheduleId: id, key: tickKey(id, s * 1_000), scheduledAtMs: s * 1_000, fireAtMs: s * 1_000, jitterMs: 0, catchUp: false });

describe('ScheduleRuntime', () => {
  it('fires ticks with their shard submissions and advances the cursor', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ shards: 2 }));
    const batch = rt.decide([tick(5), tick(10)], 10_000);
    expect(batch.fired.map((f) => f.submissions.map((s) => s.key))).toEqual([
      ['sch-1@1970-01-01T00:00:05.000Z#0', 'sch-1@1970-01-01T00:00:05.000Z#1'],
      ['sch-1@1970-01-01T00:00:10.000Z#0', 'sch-1@1970-01-01T00:00:10.000Z#1'],
    ]);
    expect(batch.states).toEqual([{ scheduleId: 'sch-1', decidedThroughMs: 10_000, breaker: CLOSED_BREAKER }]);
    expect(rt.activeOf('sch-1').map((a) => a.tickKey)).toEqual([tick(5).key, tick(10).key]);
    expect(rt.decide([tick(15, 'unknown')], 15_000).fired).toEqual([]);
  });

  it('forbid: skips while the previous run is active, fires once all its shards ended', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ concurrency: 'forbid', shards: 2 }));
    rt.decide([tick(5)], 5_000);
    const second = rt.decide([tick(10)], 10_000);
    expect(second.fired).toEqual([]);
    expect(second.skipped).toMatchObject([{ tickKey: tick(10).key, skipReason: 'previous_run_active' }]);
    rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#0`, 'succeeded', 11_000);
    expect(rt.decide([tick(15)], 15_000).skipped).toHaveLength(1);
    rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#1`, 'succeeded', 16_000);
    expect(rt.decide([tick(20)], 20_000).fired).toHaveLength(1);
  });

  it('replace: cancels the active run, then fires', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ concurrency: 'replace' }));
    rt.decide([tick(5)], 5_000);
    const b = rt.decide([tick(10)], 10_000);
    expect(b.fired[0]!.cancel).toEqual([{ tickKey: tick(5).key, scheduledAtMs: 5_000, shardKeys: [`${tick(5).key}#0`] }]);
    expect(rt.activeOf('sch-1').map((a) => a.tickKey)).toEqual([tick(10).key]);
  });

  it('a breaker opens after K failed ticks, skips with circuit_open, half-opens after the cool-down and closes on success', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ circuitBreaker: { failureThreshold: 2, cooldownMs: 20_000 } }));
    const fail = (s: number): void => {
      rt.decide([tick(s)], s * 1_000);
      rt.onShardEnded('sch-1', tick(s).key, `${tick(s).key}#0`, 'failed', s * 1_000 + 500);
    };
    fail(5);
    expect(rt.breakerOf('sch-1')).toEqual({ status: 'closed', consecutiveFailures: 1 });
    fail(10);
    expect(rt.breakerOf('sch-1')).toEqual({ status: 'open', consecutiveFailures: 2, openedAtMs: 10_500 });
    const skipped = rt.decide([tick(15), tick(20), tick(25)], 25_000);
    expect(skipped.skipped.map((r) => r.skipReason)).toEqual(['circuit_open', 'circuit_open', 'circuit_open']);
    const trial = rt.decide([tick(31)], 31_000);
    expect(trial.fired.map((f) => f.trial)).toEqual([true]);
    expect(trial.states[0]!.breaker).toEqual({ status: 'half_open', consecutiveFailures: 2, trialTickKey: tick(31).key });
    expect(rt.decide([tick(35)], 35_000).skipped[0]!.skipReason).toBe('circuit_open');
    const closed = rt.onShardEnded('sch-1', tick(31).key, `${tick(31).key}#0`, 'succeeded', 36_000);
    expect(closed).toEqual({ scheduleId: 'sch-1', decidedThroughMs: 35_000, breaker: CLOSED_BREAKER });
    expect(rt.decide([tick(40)], 40_000).fired).toHaveLength(1);
  });

  it('a tick fails if any shard fails; an ended-shard event for an unknown run changes nothing', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ shards: 3, circuitBreaker: { failureThreshold: 1, cooldownMs: 1_000 } }));
    rt.decide([tick(5)], 5_000);
    expect(rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#0`, 'succeeded', 6_000)).toBeNull();
    expect(rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#1`, 'failed', 6_000)).toBeNull();
    expect(rt.onShardEnded('sch-1', tick(5).key, 'nope', 'failed', 6_000)).toBeNull();
    expect(rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#2`, 'succeeded', 7_000)).toMatchObject({ breaker: { status: 'open', openedAtMs: 7_000 } });
  });

  it('uses submissions prepared at planning time; a changed definition discards them', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ shards: 2 }));
    rt.prepare([tick(5), tick(10)]);
    const b = rt.decide([tick(5)], 5_000);
    expect(b.fired[0]!.submissions).toHaveLength(2);
    rt.upsert(makeSchedule({ shards: 3 }));
    expect(rt.decide([tick(10)], 10_000).fired[0]!.submissions).toHaveLength(3);
  });

  it('takes over a schedule with its durable state: active runs still count for forbid', () => {
    const rt = new ScheduleRuntime();
    rt.upsert(makeSchedule({ concurrency: 'forbid' }), { decidedThroughMs: 5_000, breaker: CLOSED_BREAKER, active: [{ tickKey: tick(5).key, scheduledAtMs: 5_000, shardKeys: [`${tick(5).key}#0`] }] });
    expect(rt.decide([tick(10)], 10_000).skipped[0]!.skipReason).toBe('previous_run_active');
  });

  describe('decideAhead (tasks written before the instant)', () => {
    it('decides a tick of a schedule with no unended run ahead: its tasks run after the instant', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule({ concurrency: 'forbid' }));
      const { batch, deferred } = rt.decideAhead([tick(5)], 4_000);
      expect(deferred).toEqual([]);
      expect(batch.fired).toMatchObject([{ firedAtMs: 4_000, runAfterMs: 5_000 }]);
      expect(batch.states).toEqual([{ scheduleId: 'sch-1', decidedThroughMs: 5_000, breaker: CLOSED_BREAKER }]);
    });

    it('forbid: a tick whose previous run has not ended is left for its instant and then sees the run as it is then', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule({ concurrency: 'forbid' }));
      rt.decideAhead([tick(5)], 4_000);
      const ahead = rt.decideAhead([tick(10)], 9_000);
      expect(ahead.batch.fired).toEqual([]);
      expect(ahead.batch.skipped).toEqual([]);
      expect(ahead.deferred).toEqual([tick(10)]);
      // a later tick of the same schedule waits behind the deferred one (ticks are decided in order)
      rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#0`, 'succeeded', 9_500);
      expect(rt.decideAhead([tick(11)], 9_600).deferred).toEqual([tick(11)]);
      // the previous run ended before the instant: the deferred tick fires (deciding it ahead would have skipped it)
      const atInstant = rt.decideDeferred([tick(10), tick(11)], 10_000);
      expect(atInstant.fired.map((f) => [f.tick.key, f.runAfterMs])).toEqual([[tick(10).key, null]]);
      expect(atInstant.skipped).toMatchObject([{ tickKey: tick(11).key, skipReason: 'previous_run_active' }]);
    });

    it('breaker: a failing run ending between the decision lead and the instant still opens it for the next tick', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule({ circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 } }));
      rt.decideAhead([tick(5)], 4_000);
      expect(rt.decideAhead([tick(10)], 9_000).deferred).toEqual([tick(10)]);
      rt.onShardEnded('sch-1', tick(5).key, `${tick(5).key}#0`, 'failed', 9_500);
      expect(rt.decideDeferred([tick(10)], 10_000).skipped).toMatchObject([{ skipReason: 'circuit_open' }]);
    });

    it('an open breaker is judged as of the instant (its cool-down may end between lead and instant)', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule({ circuitBreaker: { failureThreshold: 1, cooldownMs: 5_000 } }), {
        decidedThroughMs: 5_000,
        breaker: { status: 'open', consecutiveFailures: 1, openedAtMs: 5_000 },
        active: [],
      });
      expect(rt.decideAhead([tick(10)], 9_000).batch.fired).toMatchObject([{ trial: true, runAfterMs: 10_000 }]);
    });

    it('deferred ticks of a schedule removed or reloaded from its durable state are dropped', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule());
      rt.decideAhead([tick(5)], 4_000);
      expect(rt.decideAhead([tick(10)], 9_000).deferred).toHaveLength(1);
      rt.upsert(makeSchedule(), { decidedThroughMs: 5_000, breaker: CLOSED_BREAKER, active: [] });
      const b = rt.decideDeferred([tick(10)], 10_000);
      expect([b.fired, b.skipped, b.states]).toEqual([[], [], []]);
    });

    it('a deferred tick of a schedule paused before its instant is dropped without a record', () => {
      const rt = new ScheduleRuntime();
      rt.upsert(makeSchedule());
      rt.decideAhead([tick(5)], 4_000);
      expect(rt.decideAhead([tick(10)], 9_000).deferred).toHaveLength(1);
      rt.upsert(makeSchedule({ paused: true }));
      const b = rt.decideDeferred([tick(10)], 10_000);
      expect([b.fired, b.skipped, b.states]).toEqual([[], [], []]);
    });
  });
});

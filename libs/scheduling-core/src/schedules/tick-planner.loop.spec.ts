import { ManualTimer } from './manual-timer';
import { compileSchedule, type CompiledSchedule } from './schedule.model';
import { ScheduleError } from './schedule.errors';
import { at, makeCompiled, makeSchedule } from './test/schedule.factory';
import { TickPlannerLoop, type PlannerLoopSink } from './tick-planner.loop';
import type { MissedTicksSummary, PlannedTick, TickRecord } from './tick.model';

const T0 = at('2025-01-01T00:00:00Z');

class RecordingSink implements PlannerLoopSink {
  readonly fired: { tick: PlannedTick; nowMs: number }[] = [];
  readonly missed: TickRecord[] = [];
  readonly summaries: MissedTicksSummary[] = [];
  onDue(ticks: PlannedTick[], nowMs: number): void {
    for (const tick of ticks) this.fired.push({ tick, nowMs });
  }
  onMissed(records: TickRecord[], summary: MissedTicksSummary): void {
    this.missed.push(...records);
    this.summaries.push(summary);
  }
}

function setup(schedules: CompiledSchedule[], options = {}): { timer: ManualTimer; sink: RecordingSink; loop: TickPlannerLoop } {
  const timer = new ManualTimer(T0);
  const sink = new RecordingSink();
  const loop = new TickPlannerLoop(timer, sink, options);
  for (const s of schedules) loop.upsert(s);
  loop.start();
  return { timer, sink, loop };
}

describe('TickPlannerLoop', () => {
  it('fires every tick of 200 schedules exactly once, at its firing instant (virtual time)', () => {
    const schedules = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0
        ? makeCompiled({ id: `c${i}`, trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'Europe/Berlin' } })
        : makeCompiled({ id: `i${i}`, trigger: { kind: 'interval', everyMs: 5_000, anchor: new Date(T0 + i * 25).toISOString() }, jitterMs: i % 3 === 0 ? 300 : 0 }),
    );
    const { timer, sink, loop } = setup(schedules);
    timer.advanceTo(T0 + 60_000);
    const keys = sink.fired.map((f) => f.tick.key);
    expect(new Set(keys).size).toBe(keys.length);
    // Each schedule: ticks in (T0, T0 + 60 s] whose firing instant has passed (jitter ≤ 300 ms).
    const expected = schedules.reduce((n, s) => {
      let c = 0;
      for (let t = s.timeline.nextAfter(T0); t !== null && t <= T0 + 60_000; t = s.timeline.nextAfter(t)) c++;
      return n + c;
    }, 0);
    expect(keys.length).toBeGreaterThanOrEqual(expected - 200);
    expect(keys.length).toBeLessThanOrEqual(expected);
    for (const f of sink.fired) expect(f.nowMs).toBe(f.tick.fireAtMs);
    expect(sink.missed).toEqual([]);
    const stats = loop.getStats();
    expect(stats.ticksDue).toBe(keys.length);
    expect(stats.ticksPlanned).toBe(stats.ticksDue + stats.wheelSize);
    // About one planTicks call per tick: the next-tick cache spares calls for windows without ticks.
    expect(stats.planCalls).toBeLessThanOrEqual(stats.ticksPlanned + 2 * schedules.length);
  });

  it('drops ticks planned under an old definition; a removed schedule stops firing', () => {
    const s = makeCompiled();
    const { timer, sink, loop } = setup([s]);
    timer.advanceTo(T0 + 7_500); // fired 00:05; 00:10 is in the wheel (planned at 00:07, horizon 3 s)
    loop.upsert(makeCompiled({ trigger: { kind: 'interval', everyMs: 7_000 } }));
    timer.advanceTo(T0 + 15_000);
    // 7 s ticks are epoch-aligned: T0 mod 7,000 = 1,000, so they fall on T0 + 6 s (late, fired at
    // once) and + 13 s; the old 00:10 is dropped when it comes due.
    expect(sink.fired.map((f) => (f.tick.scheduledAtMs - T0) / 1_000)).toEqual([5, 6, 13]);
    expect(loop.getStats().ticksDropped).toBeGreaterThan(0);
    loop.remove('sch-1');
    timer.advanceTo(T0 + 60_000);
    expect(sink.fired).toHaveLength(3);
  });

  it('a paused schedule fires nothing; resuming continues from now without misfires', () => {
    const { timer, sink, loop } = setup([makeCompiled()]);
    timer.advanceTo(T0 + 6_000);
    loop.upsert(compileSchedule(makeSchedule({ paused: true })));
    timer.advanceTo(T0 + 300_000);
    expect(sink.fired.map((f) => f.tick.scheduledAtMs - T0)).toEqual([5_000]);
    loop.upsert(makeCompiled());
    timer.advanceTo(T0 + 311_000);
    expect(sink.fired.map((f) => f.tick.scheduledAtMs - T0)).toEqual([5_000, 305_000, 310_000]);
    expect(sink.missed).toEqual([]);
  });

  it('a stall longer than the misfire grace yields misfires by the rule; shorter stalls fire late', () => {
    const skip = makeCompiled({ id: 'skip', misfire: { rule: 'skip', graceMs: 10_000 } });
    const { timer, sink, loop } = setup([skip]);
    timer.advanceTo(T0 + 3_000);
    loop.stop(); // the event loop is blocked / the process is frozen
    timer.advanceTo(T0 + 60_000);
    loop.start();
    timer.advanceBy(0);
    // 00:05 was already in the wheel (planned at 00:02, horizon 3 s): a planned tick fires, however
    // late. 00:10 … 00:50 were never planned and are older than the 10 s grace: misfires, skipped.
    // 00:55 and 01:00 are late but within grace: they fire now.
    expect(sink.missed.map((r) => (r.scheduledAtMs - T0) / 1_000)).toEqual([10, 15, 20, 25, 30, 35, 40, 45, 50]);
    expect(sink.fired.map((f) => [(f.tick.scheduledAtMs - T0) / 1_000, (f.nowMs - T0) / 1_000])).toEqual([
      [5, 60],
      [55, 60],
      [60, 60],
    ]);
  });

  it('planning yields the event loop when a slice exceeds its budget, after a minimum of 64 schedules (not urgent ones)', () => {
    const schedules = Array.from({ length: 500 }, (_, i) => makeCompiled({ id: `s${i}` }));
    let fakeNow = 0;
    // The fake stopwatch advances 1 ms per reading (about 2 readings per schedule planned).
    const timer = new ManualTimer(T0);
    const sink = new RecordingSink();
    const loop = new TickPlannerLoop(timer, sink, { sliceBudgetMs: 5, stopwatch: () => (fakeNow += 1) });
    // Cursors with a known next tick (00:05): planned at 00:02, not urgent then.
    for (const s of schedules) loop.upsert(s, { decidedThroughMs: T0, nextTickAtMs: T0 + 5_000 });
    loop.start();
    timer.advanceTo(T0 + 10_000);
    expect(sink.fired).toHaveLength(1_000);
    expect(loop.getStats().maxSliceMs).toBeGreaterThanOrEqual(64);
    expect(loop.getStats().maxSliceMs).toBeLessThanOrEqual(64 * 3 + 8);
  });

  it('a schedule whose tick is due before the next refill is planned whatever the budget', () => {
    const schedules = Array.from({ length: 500 }, (_, i) => makeCompiled({ id: `s${i}` }));
    let fakeNow = 0;
    const timer = new ManualTimer(T0);
    const sink = new RecordingSink();
    const loop = new TickPlannerLoop(timer, sink, { sliceBudgetMs: 5, stopwatch: () => (fakeNow += 1) });
    for (const s of schedules) loop.upsert(s, { decidedThroughMs: T0 - 5_000, nextTickAtMs: T0 });
    loop.start();
    timer.advanceBy(0);
    expect(sink.fired).toHaveLength(500);
  });

  it('rejects a horizon shorter than the refill period', () => {
    expect(() => new TickPlannerLoop(new ManualTimer(), new RecordingSink(), { horizonMs: 100, refillEveryMs: 500 })).toThrow(ScheduleError);
  });

  it('leadMs: hands each tick over that long before its firing instant; a lead the horizon cannot cover is refused', () => {
    const s = makeCompiled({ id: 'i', trigger: { kind: 'interval', everyMs: 5_000, anchor: new Date(T0).toISOString() } });
    const { timer, sink } = setup([s], { leadMs: 1_000 });
    timer.advanceTo(T0 + 20_000);
    expect(sink.fired.map((f) => [f.tick.fireAtMs - T0, f.nowMs - T0])).toEqual([
      [5_000, 4_000],
      [10_000, 9_000],
      [15_000, 14_000],
      [20_000, 19_000],
    ]);
    expect(() => new TickPlannerLoop(new ManualTimer(T0), new RecordingSink(), { horizonMs: 3_000, refillEveryMs: 500, leadMs: 2_500 })).toThrow(ScheduleError);
  });
});

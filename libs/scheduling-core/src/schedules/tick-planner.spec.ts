import { initialCursor, resumedCursor } from './schedule.model';
import { ScheduleError } from './schedule.errors';
import { at, iso, makeCompiled } from './test/schedule.factory';
import { tickJitterMs, tickKey } from './tick-key';
import { planTicks } from './tick-planner';

const T0 = at('2025-01-01T00:00:00Z');
const sec = (s: number): number => T0 + s * 1_000;

describe('planTicks: on-time ticks', () => {
  it('plans the ticks in (cursor, to] in order with stable keys, fire at the scheduled instant without jitter', () => {
    const s = makeCompiled();
    const plan = planTicks(s, initialCursor(s), T0, sec(12));
    expect(plan.due.map((t) => iso(t.scheduledAtMs))).toEqual(['2025-01-01T00:00:05.000Z', '2025-01-01T00:00:10.000Z']);
    expect(plan.due[0]).toEqual({ scheduleId: 'sch-1', key: 'sch-1@2025-01-01T00:00:05.000Z', scheduledAtMs: sec(5), fireAtMs: sec(5), jitterMs: 0, catchUp: false });
    expect(plan.cursor).toEqual({ decidedThroughMs: sec(12), nextTickAtMs: sec(15) });
    expect(plan.missed).toEqual([]);
    expect(plan.misfires).toBeNull();
  });

  it('consecutive windows neither skip nor repeat a tick, whether the next-tick hint is used or not', () => {
    const s = makeCompiled({ trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'Europe/Berlin' } });
    let cursor = initialCursor(s);
    const seen: number[] = [];
    for (let w = 0; w < 10; w++) {
      const plan = planTicks(s, w % 2 === 0 ? cursor : { decidedThroughMs: cursor.decidedThroughMs }, sec(w * 3), sec(w * 3 + 3));
      seen.push(...plan.due.map((t) => t.scheduledAtMs));
      cursor = plan.cursor;
    }
    expect(seen).toEqual([5, 10, 15, 20, 25, 30].map(sec));
  });

  it('plans the Berlin spring-forward and fall-back days with the documented DST instants', () => {
    const daily = makeCompiled({ createdAt: '2025-03-01T00:00:00Z', trigger: { kind: 'cron', expression: '0 30 2 * * *', timezone: 'Europe/Berlin' } });
    const spring = planTicks(daily, { decidedThroughMs: at('2025-03-29T12:00:00Z') }, at('2025-03-29T12:00:00Z'), at('2025-03-31T12:00:00Z'));
    expect(spring.due.map((t) => iso(t.scheduledAtMs))).toEqual(['2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']);
    const autumn = planTicks(daily, { decidedThroughMs: at('2025-10-25T12:00:00Z') }, at('2025-10-25T12:00:00Z'), at('2025-10-27T12:00:00Z'));
    expect(autumn.due.map((t) => t.key)).toEqual(['sch-1@2025-10-26T00:30:00.000Z', 'sch-1@2025-10-27T01:30:00.000Z']);
  });

  it('jitter is deterministic per (schedule, tick), within [0, jitterMs] and below the gap to the next tick', () => {
    const s = makeCompiled({ jitterMs: 2_000 });
    const a = planTicks(s, initialCursor(s), T0, sec(60));
    const b = planTicks(s, initialCursor(s), T0, sec(60));
    expect(a.due).toEqual(b.due);
    for (const t of a.due) {
      expect(t.jitterMs).toBe(tickJitterMs('sch-1', t.scheduledAtMs, 2_000));
      expect(t.fireAtMs - t.scheduledAtMs).toBe(t.jitterMs);
      expect(t.jitterMs).toBeLessThanOrEqual(2_000);
    }
    expect(new Set(a.due.map((t) => t.jitterMs)).size).toBeGreaterThan(5);
    const wide = makeCompiled({ jitterMs: 60_000 });
    const w = planTicks(wide, initialCursor(wide), T0, sec(60));
    for (let i = 1; i < w.due.length; i++) expect(w.due[i]!.fireAtMs).toBeGreaterThan(w.due[i - 1]!.fireAtMs);
    expect(Math.max(...w.due.map((t) => t.jitterMs))).toBeLessThanOrEqual(4_999);
  });

  it('startAt (inclusive) and endAt (exclusive) bound the ticks; the cursor says when none are left', () => {
    const s = makeCompiled({ startAt: '2025-01-01T00:00:10Z', endAt: '2025-01-01T00:00:20Z' });
    const cursor = initialCursor(s);
    expect(cursor.decidedThroughMs).toBe(sec(10) - 1);
    const plan = planTicks(s, cursor, T0, sec(60));
    expect(plan.due.map((t) => t.scheduledAtMs)).toEqual([sec(10), sec(15)]);
    expect(plan.cursor.nextTickAtMs).toBeNull();
  });

  it('a paused schedule plans nothing and records nothing; resuming does not count the pause as a misfire', () => {
    const s = makeCompiled({ paused: true });
    const plan = planTicks(s, initialCursor(s), T0, sec(30));
    expect(plan).toEqual({ due: [], missed: [], misfires: null, cursor: { decidedThroughMs: sec(30), nextTickAtMs: sec(35) } });
    const resumed = makeCompiled();
    const after = planTicks(resumed, resumedCursor({ decidedThroughMs: T0 }, sec(3_600)), sec(3_600), sec(3_610));
    expect(after.misfires).toBeNull();
    expect(after.due.map((t) => t.scheduledAtMs)).toEqual([sec(3_605), sec(3_610)]);
  });

  it('cuts a large window at maxTicks and resumes exactly after it', () => {
    const s = makeCompiled();
    const first = planTicks(s, initialCursor(s), T0, sec(100), { maxTicks: 3 });
    expect(first.due.map((t) => t.scheduledAtMs)).toEqual([sec(5), sec(10), sec(15)]);
    expect(first.cursor).toEqual({ decidedThroughMs: sec(15), nextTickAtMs: sec(20) });
    expect(planTicks(s, first.cursor, T0, sec(100), { maxTicks: 3 }).due[0]!.scheduledAtMs).toBe(sec(20));
  });

  it('rejects a reversed window and bad options with typed errors', () => {
    const s = makeCompiled();
    expect(() => planTicks(s, initialCursor(s), sec(10), sec(5))).toThrow(ScheduleError);
    expect(() => planTicks(s, initialCursor(s), T0, sec(5), { scanLimit: 0 })).toThrow('scanLimit');
  });
});

describe('planTicks: misfires after an outage', () => {
  // The planner last decided ticks through 00:00:00 and comes back at 00:10:00 (600 s): with a 60 s
  // grace, ticks at 5 … 540 s are misfires (108 of them), 545 … 600 s are late but due (12).
  const down = { decidedThroughMs: T0 };
  const now = sec(600);

  it('within grace a late tick fires now, not counted as a misfire', () => {
    const s = makeCompiled();
    const plan = planTicks(s, { decidedThroughMs: sec(590) }, now, sec(603));
    expect(plan.misfires).toBeNull();
    expect(plan.due.map((t) => [t.scheduledAtMs, t.fireAtMs])).toEqual([
      [sec(595), now],
      [sec(600), now],
    ]);
  });

  it('skip: no missed tick runs; each is recorded as skipped with the reason', () => {
    const s = makeCompiled({ misfire: { rule: 'skip' } });
    const plan = planTicks(s, down, now, sec(603));
    expect(plan.misfires).toEqual({ scheduleId: 'sch-1', count: 108, countExact: true, firstAtMs: sec(5), lastAtMs: sec(540) });
    expect(plan.missed).toHaveLength(108);
    expect(plan.missed[0]).toMatchObject({ tickKey: tickKey('sch-1', sec(5)), outcome: 'skipped', skipReason: 'misfire' });
    expect(plan.due.every((t) => !t.catchUp)).toBe(true);
    expect(plan.due.map((t) => t.scheduledAtMs)[0]).toBe(sec(545));
    expect(plan.due).toHaveLength(12);
  });

  it('run_once: the most recent missed tick runs now under its own key; the others are skipped', () => {
    const s = makeCompiled({ misfire: { rule: 'run_once' } });
    const plan = planTicks(s, down, now, sec(603));
    const catchUps = plan.due.filter((t) => t.catchUp);
    expect(catchUps).toEqual([{ scheduleId: 'sch-1', key: tickKey('sch-1', sec(540)), scheduledAtMs: sec(540), fireAtMs: now, jitterMs: 0, catchUp: true }]);
    expect(plan.missed).toHaveLength(107);
    expect(plan.missed[plan.missed.length - 1]!.scheduledAtMs).toBe(sec(535));
    expect(plan.due[0]!.catchUp).toBe(true); // catch-ups come first: they are the oldest
    expect(plan.misfires!.count).toBe(108);
  });

  it('run_all: the `cap` most recent missed ticks run; older ones are skipped as over the cap', () => {
    const s = makeCompiled({ misfire: { rule: 'run_all', cap: 10 } });
    const plan = planTicks(s, down, now, sec(603));
    expect(plan.due.filter((t) => t.catchUp).map((t) => t.scheduledAtMs)).toEqual([495, 500, 505, 510, 515, 520, 525, 530, 535, 540].map(sec));
    expect(plan.missed).toHaveLength(98);
    expect(plan.missed.every((r) => r.skipReason === 'misfire_cap_exceeded')).toBe(true);
    const all = makeCompiled({ misfire: { rule: 'run_all', cap: 500 } });
    const everything = planTicks(all, down, now, sec(603));
    expect(everything.due.filter((t) => t.catchUp)).toHaveLength(108);
    expect(everything.missed).toEqual([]);
  });

  it('a misfire rule with zero grace treats any overdue tick as missed', () => {
    const s = makeCompiled({ misfire: { rule: 'skip', graceMs: 0 } });
    const plan = planTicks(s, { decidedThroughMs: sec(590) }, now, sec(603));
    expect(plan.missed.map((r) => r.scheduledAtMs)).toEqual([sec(595), sec(600)]);
    expect(plan.due).toEqual([]);
  });

  it('a long outage is bounded: records capped at recordLimit, interval counts stay exact, cron counts are a lower bound', () => {
    const s = makeCompiled({ misfire: { rule: 'run_once' } });
    const week = sec(7 * 86_400);
    const plan = planTicks(s, down, week, week + 1_000, { scanLimit: 100, recordLimit: 20 });
    expect(plan.misfires).toEqual({ scheduleId: 'sch-1', count: 7 * 86_400 / 5 - 12, countExact: true, firstAtMs: sec(5), lastAtMs: week - 60_000 });
    expect(plan.missed).toHaveLength(20);
    expect(plan.due.filter((t) => t.catchUp).map((t) => t.scheduledAtMs)).toEqual([week - 60_000]);
    expect(plan.due.filter((t) => !t.catchUp).map((t) => t.scheduledAtMs)[0]).toBe(week - 55_000);

    const c = makeCompiled({ misfire: { rule: 'run_once' }, trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'UTC' } });
    const cp = planTicks(c, down, week, week + 1_000, { scanLimit: 100, recordLimit: 20 });
    expect(cp.misfires!.countExact).toBe(false);
    expect(cp.misfires!.count).toBeGreaterThanOrEqual(100);
    expect(cp.misfires!.lastAtMs).toBe(week - 60_000);
    expect(cp.due.filter((t) => t.catchUp).map((t) => t.scheduledAtMs)).toEqual([week - 60_000]);
    expect(cp.due.filter((t) => !t.catchUp)).toHaveLength(12);
    expect(cp.missed[cp.missed.length - 1]!.scheduledAtMs).toBe(week - 65_000);
  });
});

import { compileTrigger, type TriggerTimeline } from './schedule-trigger';
import { ScheduleError } from './schedule.errors';
import { at, iso } from './test/schedule.factory';

/** The first n ticks strictly after `from`. */
function ticks(timeline: TriggerTimeline, from: string, n: number): string[] {
  const out: string[] = [];
  let t: number | null = at(from);
  while (out.length < n) {
    t = timeline.nextAfter(t);
    if (t === null) break;
    out.push(iso(t));
  }
  return out;
}

const cron = (expression: string, timezone = 'UTC', bounds = {}): TriggerTimeline => compileTrigger({ kind: 'cron', expression, timezone }, bounds);

// Instants below are computed by hand from the zones' rules, not read from croner:
// Europe/Berlin: CET = UTC+1, CEST = UTC+2; 2025-03-30 02:00 CET → 03:00 CEST; 2025-10-26 03:00 CEST → 02:00 CET.
// America/New_York: EST = UTC−5, EDT = UTC−4; 2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST.
// Asia/Tokyo: JST = UTC+9 all year.
describe('cron timelines across DST', () => {
  it('daily 02:30 in Berlin on spring-forward day fires at 03:00 CEST, the first valid instant after the gap (fixed-time job)', () => {
    expect(ticks(cron('0 30 2 * * *', 'Europe/Berlin'), '2025-03-29T00:00:00Z', 3)).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:00:00.000Z', // 02:30 does not exist → 03:00 CEST
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('daily 02:30 in Berlin on fall-back day fires once, at the first occurrence (CEST)', () => {
    expect(ticks(cron('0 30 2 * * *', 'Europe/Berlin'), '2025-10-25T00:00:00Z', 3)).toEqual([
      '2025-10-25T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T00:30:00.000Z', // 02:30 CEST, first pass; the second pass (01:30Z, CET) is not run
      '2025-10-27T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('an hourly job (not fixed-time) skips the missing 02:30 in spring and runs both 02:30s in autumn', () => {
    expect(ticks(cron('0 30 * * * *', 'Europe/Berlin'), '2025-03-30T00:00:00Z', 3)).toEqual([
      '2025-03-30T00:30:00.000Z', // 01:30 CET
      '2025-03-30T01:30:00.000Z', // 03:30 CEST (02:30 skipped)
      '2025-03-30T02:30:00.000Z', // 04:30 CEST
    ]);
    expect(ticks(cron('0 30 * * * *', 'Europe/Berlin'), '2025-10-26T00:00:00Z', 3)).toEqual([
      '2025-10-26T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T01:30:00.000Z', // 02:30 CET (the repeated hour)
      '2025-10-26T02:30:00.000Z', // 03:30 CET
    ]);
  });

  it('New York: daily 02:30 moves to 03:00 EDT on 2025-03-09 and runs once on 2025-11-02; 01:30 runs once in the repeated hour', () => {
    expect(ticks(cron('30 2 * * *', 'America/New_York'), '2025-03-08T00:00:00Z', 3)).toEqual([
      '2025-03-08T07:30:00.000Z', // 02:30 EST
      '2025-03-09T07:00:00.000Z', // 03:00 EDT
      '2025-03-10T06:30:00.000Z', // 02:30 EDT
    ]);
    expect(ticks(cron('30 1 * * *', 'America/New_York'), '2025-11-01T12:00:00Z', 2)).toEqual([
      '2025-11-02T05:30:00.000Z', // 01:30 EDT, first pass only
      '2025-11-03T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('a zone without DST (Tokyo) keeps 02:30 local = 17:30Z the day before, across Europe’s change', () => {
    expect(ticks(cron('0 30 2 * * *', 'Asia/Tokyo'), '2025-03-28T00:00:00Z', 3)).toEqual(['2025-03-28T17:30:00.000Z', '2025-03-29T17:30:00.000Z', '2025-03-30T17:30:00.000Z']);
  });

  it('a seconds cron */5 fires every 5 s, strictly after the given instant', () => {
    const tl = cron('*/5 * * * * *');
    expect(ticks(tl, '2025-01-01T00:00:00Z', 3)).toEqual(['2025-01-01T00:00:05.000Z', '2025-01-01T00:00:10.000Z', '2025-01-01T00:00:15.000Z']);
    expect(iso(tl.nextAfter(at('2025-01-01T00:00:04.999Z')) as number)).toBe('2025-01-01T00:00:05.000Z');
    expect(iso(tl.nextAfter(at('2025-01-01T00:00:05.000Z')) as number)).toBe('2025-01-01T00:00:10.000Z');
    // Berlin through the spring gap: a seconds job just continues in real time.
    expect(ticks(cron('*/5 * * * * *', 'Europe/Berlin'), '2025-03-30T00:59:55Z', 3)).toEqual(['2025-03-30T01:00:00.000Z', '2025-03-30T01:00:05.000Z', '2025-03-30T01:00:10.000Z']);
  });

  it('UTC aliases take the fixed-offset path with the same instants', () => {
    for (const tz of ['UTC', 'Etc/UTC', 'GMT', 'utc']) expect(ticks(cron('0 0 12 * * MON', tz), '2025-01-01T00:00:00Z', 2)).toEqual(['2025-01-06T12:00:00.000Z', '2025-01-13T12:00:00.000Z']);
  });

  it('respects [startAt, endAt): startAt inclusive, endAt exclusive', () => {
    const tl = cron('0 0 * * * *', 'UTC', { startAtMs: at('2025-01-01T03:00:00Z'), endAtMs: at('2025-01-01T05:00:00Z') });
    expect(ticks(tl, '2025-01-01T00:00:00Z', 5)).toEqual(['2025-01-01T03:00:00.000Z', '2025-01-01T04:00:00.000Z']);
    expect(tl.latestAtOrBefore(5, at('2025-01-01T09:00:00Z')).map(iso)).toEqual(['2025-01-01T04:00:00.000Z', '2025-01-01T03:00:00.000Z']);
  });

  it('latestAtOrBefore includes the instant itself and follows DST', () => {
    const tl = cron('0 30 2 * * *', 'Europe/Berlin');
    expect(tl.latestAtOrBefore(2, at('2025-03-30T01:00:00Z')).map(iso)).toEqual(['2025-03-30T01:00:00.000Z', '2025-03-29T01:30:00.000Z']);
    expect(tl.countBetween(0, 1)).toBeNull();
  });

  it('a bad expression is a typed error naming the field', () => {
    expect(() => cron('61 * * * * *')).toThrow(ScheduleError);
    expect(() => cron('61 * * * * *')).toThrow('trigger.expression: CronPattern: Invalid value for second: 61');
  });
});

describe('interval timelines', () => {
  const every5 = compileTrigger({ kind: 'interval', everyMs: 5_000 });

  it('align to the epoch by default', () => {
    expect(ticks(every5, '2025-01-01T00:00:01.234Z', 2)).toEqual(['2025-01-01T00:00:05.000Z', '2025-01-01T00:00:10.000Z']);
  });

  it('follow the anchor, else startAt', () => {
    const anchored = compileTrigger({ kind: 'interval', everyMs: 5_000, anchor: '2025-01-01T00:00:01.500Z' });
    expect(ticks(anchored, '2025-01-01T00:00:00Z', 2)).toEqual(['2025-01-01T00:00:01.500Z', '2025-01-01T00:00:06.500Z']);
    const fromStart = compileTrigger({ kind: 'interval', everyMs: 60_000 }, { startAtMs: at('2025-01-01T00:00:07Z') });
    expect(ticks(fromStart, '2024-12-31T00:00:00Z', 2)).toEqual(['2025-01-01T00:00:07.000Z', '2025-01-01T00:01:07.000Z']);
  });

  it('count ticks in (a, b] exactly and list the latest ones, within bounds', () => {
    const tl = compileTrigger({ kind: 'interval', everyMs: 5_000 }, { startAtMs: at('2025-01-01T00:00:00Z'), endAtMs: at('2025-01-01T00:01:00Z') });
    expect(tl.countBetween(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:00:20Z'))).toBe(4); // 5, 10, 15, 20
    expect(tl.countBetween(at('2024-12-31T00:00:00Z'), at('2025-01-02T00:00:00Z'))).toBe(12); // 00:00 … 00:55
    expect(tl.latestAtOrBefore(3, at('2025-01-01T00:00:12Z')).map(iso)).toEqual(['2025-01-01T00:00:10.000Z', '2025-01-01T00:00:05.000Z', '2025-01-01T00:00:00.000Z']);
    expect(tl.latestAtOrBefore(9, at('2025-01-01T00:00:06Z'))).toHaveLength(2);
    expect(tl.nextAfter(at('2025-01-01T00:00:55Z'))).toBeNull();
  });
});

import { Cron } from 'croner';
import { compileTrigger } from './schedule-trigger';
import { ZoneOffsets } from './zone-offsets';

const at = (s: string): number => Date.parse(s);

describe('ZoneOffsets', () => {
  it('finds the 2025 DST changes of Berlin and New York to the second (hand-checked)', () => {
    const berlin = new ZoneOffsets('Europe/Berlin');
    expect(berlin.offsetAt(at('2025-03-30T00:59:59Z'))).toBe(60);
    expect(berlin.offsetAt(at('2025-03-30T01:00:00Z'))).toBe(120); // 02:00 CET → 03:00 CEST
    expect(berlin.offsetAt(at('2025-10-26T00:59:59Z'))).toBe(120);
    expect(berlin.offsetAt(at('2025-10-26T01:00:00Z'))).toBe(60); // 03:00 CEST → 02:00 CET
    expect(berlin.changesBetween(at('2025-03-30T00:59:59Z'), at('2025-03-30T01:00:00Z'))).toBe(true);
    expect(berlin.changesBetween(at('2025-03-30T01:00:00Z'), at('2025-10-26T00:59:59Z'))).toBe(false);
    expect(berlin.changesBetween(at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toBe(true);
    const ny = new ZoneOffsets('America/New_York');
    expect(ny.offsetAt(at('2025-03-09T07:00:00Z'))).toBe(-240); // 02:00 EST → 03:00 EDT
    expect(ny.offsetAt(at('2025-03-09T06:59:59Z'))).toBe(-300);
    expect(ny.offsetAt(at('2025-11-02T06:00:00Z'))).toBe(-300); // 02:00 EDT → 01:00 EST
    expect(new ZoneOffsets('Asia/Tokyo').changesBetween(at('2020-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe(false);
  });

  it('agrees with Intl at random instants in zones with odd offsets and rules', () => {
    let seed = 42;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const tz of ['Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'Africa/Casablanca']) {
      const z = new ZoneOffsets(tz);
      for (let i = 0; i < 100; i++) {
        const t = at('2018-01-01T00:00:00Z') + Math.floor(rnd() * 2 * 365 * 86_400) * 1_000;
        expect([tz, t, z.offsetAt(t)]).toEqual([tz, t, z.offsetFromIntl(t)]);
      }
    }
  });
});

describe('cron fast path (fixed offset between changes) against croner in the zone', () => {
  // Zones with a 1 h DST (north), a 30-min DST (Lord Howe, south), a +12:45/+13:45 zone (Chatham).
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham'];
  const expressions = ['0 30 2 * * *', '0 30 * * * *', '0 15,45 1-3 * * *', '0 0 0 * * SUN'];
  // Starts a day or so before the 2025 transitions of these zones (Berlin 03-30 / 10-26, New York
  // 03-09 / 11-02, Lord Howe 04-06 / 10-05, Chatham 04-06 / 09-28) and one ordinary instant.
  const starts = ['2025-03-08T12:00:00Z', '2025-03-29T12:00:00Z', '2025-04-05T00:00:00Z', '2025-09-27T00:00:00Z', '2025-10-04T00:00:00Z', '2025-10-25T12:00:00Z', '2025-11-01T12:00:00Z', '2026-01-15T00:00:00Z'];

  it.each(zones)('%s: the first 30 ticks from each start are croner’s, DST rules included', (tz) => {
    for (const expression of expressions) {
      const fast = compileTrigger({ kind: 'cron', expression, timezone: tz });
      const zoned = new Cron(expression, { paused: true, mode: '5-or-6-parts', timezone: tz });
      for (const s of starts) {
        let a: number | null = at(s);
        let b: Date | null = new Date(at(s));
        for (let i = 0; i < 30 && a !== null && b !== null; i++) {
          a = fast.nextAfter(a);
          b = zoned.nextRun(b);
          expect([tz, expression, s, i, a === null ? null : new Date(a).toISOString()]).toEqual([tz, expression, s, i, b?.toISOString() ?? null]);
        }
      }
    }
  });
});

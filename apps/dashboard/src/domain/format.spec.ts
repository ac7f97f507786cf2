import { describeRun, describeTask, elapsedMs, formatDuration, formatLatency, formatMb, formatNumber, formatPercent, shortId } from './format';

describe('formatting', () => {
  it.each([
    [null, '–'],
    [Number.NaN, '–'],
    [0, '0 ms'],
    [312.4, '312 ms'],
    [999.6, '1000 ms'],
    [1_449, '1.4 s'],
    [9_960, '10.0 s'],
    [42_400, '42 s'],
    [125_000, '2 m 05 s'],
    [3_599_000, '59 m 59 s'],
    [3_720_000, '1 h 02 m'],
    [-1_500, '-1.5 s'],
  ])('duration %p → %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formats latencies, percentages, numbers and sizes', () => {
    expect(formatLatency(0.2461)).toBe('0.246 ms');
    expect(formatLatency(1.926)).toBe('1.93 ms');
    expect(formatLatency(15.2)).toBe('15 ms');
    expect(formatPercent(0.784)).toBe('78.4 %');
    expect(formatPercent(1, 0)).toBe('100 %');
    expect(formatPercent(null)).toBe('–');
    expect(formatNumber(0.1 + 0.2, 3)).toBe('0.3');
    expect(formatMb(64)).toBe('64 MB');
    expect(formatMb(24_105)).toBe('23.5 GB');
    expect(shortId('086372bb-5c8d-4c25-a45a-0ff070609974')).toBe('086372bb');
  });

  it('describes what a task runs', () => {
    expect(describeRun({ kind: 'shell', command: ['sh', '-c', 'echo hi'], shell: false, env: {} })).toBe('sh -c echo hi');
    expect(describeRun({ kind: 'http', method: 'POST', url: 'http://x/y', headers: {}, expectStatus: [200] })).toBe('POST http://x/y');
    expect(describeRun({ kind: 'noop', sleepMs: 300 })).toBe('noop 300 ms');
    expect(describeRun({ kind: 'noop', sleepMs: 0, failWith: 3 })).toBe('noop, exits 3');
    expect(describeTask({ name: 'etl/load', run: { kind: 'noop', sleepMs: 1 } })).toBe('etl/load');
  });

  it('measures elapsed time, up to now while unfinished', () => {
    expect(elapsedMs(null, null, 5)).toBeNull();
    expect(elapsedMs('2026-11-29T10:00:00.000Z', '2026-11-29T10:00:01.250Z', 0)).toBe(1250);
    expect(elapsedMs('2026-11-29T10:00:00.000Z', null, Date.parse('2026-11-29T10:00:03.000Z'))).toBe(3000);
  });
});

import { formatDuration, renderProgressBar, renderProgressLine } from './progress.render';
import type { RunSnapshot } from './run-snapshot';

const snap = (over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  kind: 'workflow',
  id: '11111111-1111-4111-8111-111111111111',
  name: 'nightly',
  status: 'running',
  terminal: false,
  succeeded: false,
  total: 10,
  done: 4,
  failed: 1,
  skipped: 0,
  running: 2,
  queued: 0,
  waiting: 3,
  nodes: [],
  ...over,
});

describe('formatDuration', () => {
  it.each([
    [0, '<1s'],
    [999, '<1s'],
    [1000, '1s'],
    [4_499, '4s'],
    [59_499, '59s'],
    [65_000, '1m05s'],
    [3_599_000, '59m59s'],
    [7_380_000, '2h03m'],
  ])('%d ms → %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
});

describe('renderProgressBar', () => {
  it('draws succeeded, failed and remaining shares of a 30-column bar on a wide terminal', () => {
    // 4/10 done → 12 '#', 1/10 failed → 3 'x', 15 '-'
    expect(renderProgressBar(snap(), { ms: 12_000, source: 'predicted' }, 5_000, 200)).toBe(
      `workflow nightly [${'#'.repeat(12)}${'x'.repeat(3)}${'-'.repeat(15)}] 4/10 done, 1 failed, 2 running, 3 waiting | ETA 12s (predicted) | 5s`,
    );
  });

  it('shrinks the bar to fit the terminal, and drops it (cutting the line) when there is no room', () => {
    const line = renderProgressBar(snap(), { ms: 12_000, source: 'rate' }, 5_000, 100);
    expect(line.length).toBeLessThanOrEqual(99);
    expect(line).toMatch(/^workflow nightly \[#+x+-+\] 4\/10 done/);
    const narrow = renderProgressBar(snap(), null, 5_000, 40);
    expect(narrow.length).toBe(39);
    expect(narrow.endsWith('…')).toBe(true);
    expect(narrow).not.toContain('[');
  });

  it('shows at least one x for a single failure among many, and a full bar at the end without ETA', () => {
    const many = renderProgressBar(snap({ total: 1000, done: 0, failed: 1, waiting: 997 }), null, 0, 200);
    expect(many).toContain(`[x${'-'.repeat(29)}]`);
    const end = renderProgressBar(snap({ done: 10, failed: 0, running: 0, waiting: 0, terminal: true, status: 'succeeded' }), null, 61_000, 200);
    expect(end).toBe(`workflow nightly [${'#'.repeat(30)}] 10/10 done, 0 failed, 0 running | 1m01s`);
  });

  it('a terminal reporting 0 columns still gets a line', () => {
    expect(renderProgressBar(snap(), null, 0, 0).length).toBeGreaterThan(40);
  });
});

describe('renderProgressLine', () => {
  it('is one plain line for CI logs, with the ETA source', () => {
    expect(renderProgressLine(snap(), { ms: 12_000, source: 'predicted' }, 5_000)).toBe('workflow nightly: 4/10 done, 1 failed, 2 running, 3 waiting, ETA 12s (predicted), elapsed 5s');
    expect(renderProgressLine(snap({ skipped: 2, queued: 1 }), null, 0)).toBe('workflow nightly: 4/10 done, 1 failed, 2 not run, 2 running, 1 queued, 3 waiting, ETA unknown, elapsed <1s');
  });

  it('says the end state and no ETA once finished; a task without a name shows its short id', () => {
    const t = snap({ kind: 'task', name: null, total: 1, done: 0, failed: 1, running: 0, waiting: 0, terminal: true, status: 'timed_out' });
    expect(renderProgressLine(t, null, 3_000)).toBe('task 11111111: timed_out, 0/1 done, 1 failed, 0 running, elapsed 3s');
  });
});

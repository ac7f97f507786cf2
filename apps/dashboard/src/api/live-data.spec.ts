import { ApiError } from './http-client';
import { LiveData, type Clock, type FetchResult } from './live-data';

/** A manual clock: timers run when the test advances time. */
function manualClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  async function advance(ms: number): Promise<void> {
    const until = now + ms;
    const settle = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    for (;;) {
      await settle();
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  }
  return { clock, advance, pending: () => timers.size };
}

describe('live data layer', () => {
  it('shares one poll per path, sends the last ETag, and skips listeners on 304', async () => {
    const calls: Array<[string, string | null]> = [];
    const answers: Array<FetchResult<unknown>> = [
      { kind: 'changed', data: { n: 1 }, etag: 'W/"a"' },
      { kind: 'unchanged' },
      { kind: 'changed', data: { n: 2 }, etag: 'W/"b"' },
    ];
    const { clock, advance } = manualClock();
    const live = new LiveData(async (path, etag) => {
      calls.push([path, etag]);
      return answers.shift() ?? { kind: 'unchanged' };
    }, clock);
    const a: unknown[] = [];
    const b: unknown[] = [];
    live.watch('/api/stats', 2000, (s) => a.push(s.data));
    live.watch('/api/stats', 1000, (s) => b.push(s.data));
    await advance(0);
    expect(calls).toEqual([['/api/stats', null]]);
    await advance(1000); // the shorter interval wins
    expect(calls).toEqual([
      ['/api/stats', null],
      ['/api/stats', 'W/"a"'],
    ]);
    await advance(1000);
    expect(calls[2]).toEqual(['/api/stats', 'W/"a"']);
    expect(a).toEqual([{ n: 1 }, { n: 2 }]);
    expect(b).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('gives a late watcher the cached snapshot at once', async () => {
    const { clock, advance } = manualClock();
    const live = new LiveData(async () => ({ kind: 'changed', data: 7, etag: null }), clock);
    live.watch('/x', 1000, () => undefined);
    await advance(0);
    const seen: unknown[] = [];
    live.watch('/x', 5000, (s) => seen.push(s.data));
    expect(seen).toEqual([7]);
  });

  it('reports errors as snapshots and clears them on the next success', async () => {
    const { clock, advance } = manualClock();
    let fail = true;
    const live = new LiveData(async () => {
      if (fail) throw new ApiError(503, 'HTTP_ERROR', 'down');
      return { kind: 'changed', data: 'ok', etag: null };
    }, clock);
    const seen: Array<[unknown, string | undefined]> = [];
    live.watch('/x', 1000, (s) => seen.push([s.data, s.error?.message]));
    await advance(0);
    fail = false;
    await advance(1000);
    expect(seen).toEqual([
      [undefined, 'down'],
      ['ok', undefined],
    ]);
  });

  it('refetches at once on invalidate, even when asked during a request in flight', async () => {
    const { clock, advance } = manualClock();
    let calls = 0;
    let release: () => void = () => undefined;
    const live = new LiveData(
      () =>
        new Promise((resolve) => {
          calls += 1;
          release = () => resolve({ kind: 'changed', data: calls, etag: null });
        }),
      clock,
    );
    live.watch('/api/tasks?limit=10', 60_000, () => undefined);
    await advance(0);
    expect(calls).toBe(1);
    live.invalidate('/api/tasks'); // while the first request is still in flight
    await advance(0);
    expect(calls).toBe(1);
    release();
    await advance(0);
    expect(calls).toBe(2);
    release();
    await advance(0);
    live.invalidate('/api/other');
    await advance(0);
    expect(calls).toBe(2);
  });

  it('stops polling when the last watcher leaves and while paused', async () => {
    const { clock, advance, pending } = manualClock();
    let calls = 0;
    const live = new LiveData(async () => {
      calls += 1;
      return { kind: 'unchanged' };
    }, clock);
    const off = live.watch('/x', 1000, () => undefined);
    await advance(3000);
    expect(calls).toBe(4);
    live.pause();
    await advance(5000);
    expect(calls).toBe(4);
    live.resume();
    await advance(0);
    expect(calls).toBe(5);
    off();
    expect(pending()).toBe(0);
    await advance(5000);
    expect(calls).toBe(5);
  });
});

import { ShellRunner } from './shell.runner';
import { NoopRunner } from './noop.runner';
import { TailBuffer } from './runner.port';

const ctx = (over: Partial<{ timeoutMs: number; signal: AbortSignal }> = {}) => ({
  taskId: 't', attempt: 1, timeoutMs: 10_000, outputTailBytes: 64, signal: new AbortController().signal, ...over,
});

describe('ShellRunner', () => {
  const runner = new ShellRunner();
  it('captures exit code and output without a shell', async () => {
    const r = await runner.run({ kind: 'shell', command: ['echo', 'hello $HOME'], shell: false, env: {} }, ctx());
    expect(r).toMatchObject({ outcome: 'succeeded', exitCode: 0, outputTail: 'hello $HOME\n' });
  });
  it('reports a failing exit code', async () => {
    const r = await runner.run({ kind: 'shell', command: ['sh', '-c', 'echo oops >&2; exit 3'], shell: false, env: {} }, ctx());
    expect(r).toMatchObject({ outcome: 'failed', exitCode: 3, outputTail: 'oops\n' });
  });
  it('reports a missing program', async () => {
    const r = await runner.run({ kind: 'shell', command: ['/no/such/program'], shell: false, env: {} }, ctx());
    expect(r.outcome).toBe('failed');
    expect(r.error).toContain('/no/such/program');
  });
  it('times out and kills the whole process group', async () => {
    const started = Date.now();
    const r = await runner.run({ kind: 'shell', command: ['sh', '-c', 'sleep 30 & sleep 30; wait'], shell: false, env: {} }, ctx({ timeoutMs: 300 }));
    expect(r.outcome).toBe('timed_out');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
  it('cancels on abort', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await runner.run({ kind: 'shell', command: ['sleep', '30'], shell: false, env: {} }, ctx({ signal: ac.signal }));
    expect(r.outcome).toBe('cancelled');
  });
});

describe('NoopRunner', () => {
  it('fails with the requested code', async () => {
    expect(await new NoopRunner().run({ kind: 'noop', sleepMs: 0, failWith: 2 }, ctx())).toMatchObject({ outcome: 'failed', exitCode: 2 });
  });

  describe('leaves nothing behind once an attempt ended (a pending 1 h timeout timer kept every finished attempt in memory)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('after the sleep: no timer left, the abort listener removed', async () => {
      const ac = new AbortController();
      const add = jest.spyOn(ac.signal, 'addEventListener');
      const remove = jest.spyOn(ac.signal, 'removeEventListener');
      const runs = Array.from({ length: 100 }, () => new NoopRunner().run({ kind: 'noop', sleepMs: 20 }, ctx({ signal: ac.signal, timeoutMs: 3_600_000 })));
      expect(jest.getTimerCount()).toBe(200);
      await jest.advanceTimersByTimeAsync(20);
      for (const r of await Promise.all(runs)) expect(r.outcome).toBe('succeeded');
      expect(jest.getTimerCount()).toBe(0);
      expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]));
    });

    it('after a timeout or a cancellation: the other timers cleared too', async () => {
      const timedOut = new NoopRunner().run({ kind: 'noop', sleepMs: 60_000 }, ctx({ timeoutMs: 50 }));
      await jest.advanceTimersByTimeAsync(50);
      expect((await timedOut).outcome).toBe('timed_out');
      expect(jest.getTimerCount()).toBe(0);
      const ac = new AbortController();
      const cancelled = new NoopRunner().run({ kind: 'noop', sleepMs: 60_000 }, ctx({ signal: ac.signal }));
      ac.abort();
      expect((await cancelled).outcome).toBe('cancelled');
      expect(jest.getTimerCount()).toBe(0);
      const already = new AbortController();
      already.abort();
      expect((await new NoopRunner().run({ kind: 'noop', sleepMs: 60_000 }, ctx({ signal: already.signal }))).outcome).toBe('cancelled');
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

describe('TailBuffer', () => {
  it('keeps only the last bytes', () => {
    const t = new TailBuffer(5);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('defgh'));
    expect(t.toString()).toBe('defgh');
  });
});

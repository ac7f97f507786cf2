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
});

describe('TailBuffer', () => {
  it('keeps only the last bytes', () => {
    const t = new TailBuffer(5);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('defgh'));
    expect(t.toString()).toBe('defgh');
  });
});

import type { RunSpec } from '@kairos/contracts';
import type { RunContext, RunResult, TaskRunner } from './runner.port';

/** Sleeps, then succeeds (or fails with the given code): for tests and throughput benchmarks. */
export class NoopRunner implements TaskRunner<'noop'> {
  readonly kind = 'noop' as const;

  async run(spec: Extract<RunSpec, { kind: 'noop' }>, ctx: RunContext): Promise<RunResult> {
    if (spec.sleepMs > 0) {
      const stopped = await new Promise<'done' | 'timed_out' | 'cancelled'>((resolve) => {
        const t = setTimeout(() => resolve('done'), spec.sleepMs);
        const to = setTimeout(() => resolve('timed_out'), ctx.timeoutMs);
        ctx.signal.addEventListener('abort', () => resolve('cancelled'), { once: true });
        void t;
        void to;
      });
      if (stopped !== 'done') return { outcome: stopped, exitCode: null, outputTail: '', error: stopped };
    }
    if (spec.failWith) return { outcome: 'failed', exitCode: spec.failWith, outputTail: '', error: `exit code ${spec.failWith}` };
    return { outcome: 'succeeded', exitCode: 0, outputTail: '', error: null };
  }
}

import type { RunSpec } from '@kairos/contracts';
import type { RunContext, RunResult, TaskRunner } from './runner.port';

/**
 * Sleeps, then succeeds (or fails with the given code): for tests and throughput benchmarks. Whichever
 * of the sleep, the task's timeout and a cancellation comes first ends it, and the other two are
 * cleared: a pending timeout timer would keep the attempt (task, logger, callbacks) in memory for the
 * task's whole timeout (1 h by default) after it ended.
 */
export class NoopRunner implements TaskRunner<'noop'> {
  readonly kind = 'noop' as const;

  async run(spec: Extract<RunSpec, { kind: 'noop' }>, ctx: RunContext): Promise<RunResult> {
    if (spec.sleepMs > 0) {
      const stopped = await new Promise<'done' | 'timed_out' | 'cancelled'>((resolve) => {
        const settle = (how: 'done' | 'timed_out' | 'cancelled') => {
          clearTimeout(sleep);
          clearTimeout(timeout);
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(how);
        };
        const onAbort = () => settle('cancelled');
        const sleep = setTimeout(() => settle('done'), spec.sleepMs);
        const timeout = setTimeout(() => settle('timed_out'), ctx.timeoutMs);
        if (ctx.signal.aborted) settle('cancelled');
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      if (stopped !== 'done') return { outcome: stopped, exitCode: null, outputTail: '', error: stopped };
    }
    if (spec.failWith) return { outcome: 'failed', exitCode: spec.failWith, outputTail: '', error: `exit code ${spec.failWith}` };
    return { outcome: 'succeeded', exitCode: 0, outputTail: '', error: null };
  }
}

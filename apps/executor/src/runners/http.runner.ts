import type { RunSpec } from '@kairos/contracts';
import type { RunContext, RunResult, TaskRunner } from './runner.port';

/** One HTTP call; success means the status is one the spec expects. */
export class HttpRunner implements TaskRunner<'http'> {
  readonly kind = 'http' as const;

  async run(spec: Extract<RunSpec, { kind: 'http' }>, ctx: RunContext): Promise<RunResult> {
    const timeout = AbortSignal.timeout(ctx.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    try {
      const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body, signal });
      const text = (await res.text()).slice(-ctx.outputTailBytes);
      const ok = spec.expectStatus.includes(res.status);
      return { outcome: ok ? 'succeeded' : 'failed', exitCode: res.status, outputTail: text, error: ok ? null : `unexpected HTTP status ${res.status}` };
    } catch (e) {
      if (timeout.aborted) return { outcome: 'timed_out', exitCode: null, outputTail: '', error: `timed out after ${ctx.timeoutMs} ms` };
      if (ctx.signal.aborted) return { outcome: 'cancelled', exitCode: null, outputTail: '', error: 'cancelled' };
      return { outcome: 'failed', exitCode: null, outputTail: '', error: `${spec.method} ${spec.url}: ${(e as Error).message}` };
    }
  }
}

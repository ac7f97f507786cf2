import { collectSecretValues, DEFAULT_SECRET_POLICY, isSealedValue, type RunSpec, type SecretPolicy } from '@kairos/contracts';
import type { RunContext, RunResult, TaskRunner } from './runner.port';
import { RedactingTail, scrubMessage } from './task-output';

type HttpSpec = Extract<RunSpec, { kind: 'http' }>;

/**
 * One HTTP call; success means the status is one the spec expects.
 * - secretHeaders (opened) are sent with the plain headers; every secret value is scrubbed from the
 *   kept response tail and from error messages.
 * - A request carrying secret headers does not follow redirects: fetch would forward Cookie or
 *   X-Api-Key to whatever host the server names. The 3xx is the answer (list it in expectStatus if
 *   it means success).
 * - The response is streamed into a tail buffer: a huge body costs OUTPUT_TAIL_BYTES, not memory.
 */
export class HttpRunner implements TaskRunner<'http'> {
  readonly kind = 'http' as const;
  private readonly policy: SecretPolicy;

  constructor(opts: { secretPolicy?: SecretPolicy } = {}) {
    this.policy = opts.secretPolicy ?? DEFAULT_SECRET_POLICY;
  }

  async run(spec: HttpSpec, ctx: RunContext): Promise<RunResult> {
    const secrets = collectSecretValues(spec, this.policy);
    const secretHeaders = spec.secretHeaders ?? {};
    const sealed = Object.entries(secretHeaders).find(([, v]) => isSealedValue(v));
    if (sealed) return { outcome: 'failed', exitCode: null, outputTail: '', error: `secretHeaders.${sealed[0]} is still sealed: the executor must open task secrets (KAIROS_SECRET_KEY) before running` };
    const carriesSecrets = secrets.length > 0;
    const timeout = AbortSignal.timeout(ctx.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const tail = new RedactingTail(ctx.outputTailBytes, secrets);
    try {
      const res = await fetch(spec.url, {
        method: spec.method,
        headers: { ...spec.headers, ...secretHeaders },
        body: spec.body,
        signal,
        redirect: carriesSecrets ? 'manual' : 'follow',
      });
      if (res.body) for await (const chunk of res.body) tail.push(Buffer.from(chunk));
      const ok = spec.expectStatus.includes(res.status);
      const redirect = carriesSecrets && res.status >= 300 && res.status < 400 ? ' (redirect not followed: the request carries secret headers)' : '';
      return { outcome: ok ? 'succeeded' : 'failed', exitCode: res.status, outputTail: tail.toString(), error: ok ? null : `unexpected HTTP status ${res.status}${redirect}` };
    } catch (e) {
      if (timeout.aborted) return { outcome: 'timed_out', exitCode: null, outputTail: tail.toString(), error: `timed out after ${ctx.timeoutMs} ms` };
      if (ctx.signal.aborted) return { outcome: 'cancelled', exitCode: null, outputTail: tail.toString(), error: 'cancelled' };
      return { outcome: 'failed', exitCode: null, outputTail: tail.toString(), error: scrubMessage(`${spec.method} ${spec.url}: ${(e as Error).message}`, secrets) };
    }
  }
}

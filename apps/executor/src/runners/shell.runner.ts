import { spawn } from 'node:child_process';
import type { RunSpec } from '@kairos/contracts';
import { TailBuffer, type RunContext, type RunResult, type TaskRunner } from './runner.port';

const KILL_GRACE_MS = 2_000;

/**
 * Runs a program without a shell (args array) unless the spec asks for one. The child leads its own
 * process group so timeout and cancellation reach its children too: SIGTERM, then SIGKILL after a grace.
 */
export class ShellRunner implements TaskRunner<'shell'> {
  readonly kind = 'shell' as const;

  run(spec: Extract<RunSpec, { kind: 'shell' }>, ctx: RunContext): Promise<RunResult> {
    return new Promise((resolve) => {
      const tail = new TailBuffer(ctx.outputTailBytes);
      const [program, ...args] = spec.shell ? ['/bin/sh', '-c', spec.command.join(' ')] : spec.command;
      let stopReason: 'timed_out' | 'cancelled' | null = null;
      let killTimer: NodeJS.Timeout | null = null;
      const child = spawn(program, args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env, KAIROS_TASK_ID: ctx.taskId, KAIROS_ATTEMPT: String(ctx.attempt) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const stop = (reason: 'timed_out' | 'cancelled') => {
        if (stopReason || child.exitCode !== null) return;
        stopReason = reason;
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const timeout = setTimeout(() => stop('timed_out'), ctx.timeoutMs);
      const onAbort = () => stop('cancelled');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (child.pid) ctx.onPid?.(child.pid);
      child.stdout.on('data', (c: Buffer) => tail.push(c));
      child.stderr.on('data', (c: Buffer) => tail.push(c));
      const finish = (result: RunResult) => {
        clearTimeout(timeout);
        if (killTimer) clearTimeout(killTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        // Reap stragglers the program left in its group.
        signalGroup(child.pid, 'SIGKILL');
        resolve(result);
      };
      child.on('error', (err) => finish({ outcome: 'failed', exitCode: null, outputTail: tail.toString(), error: `spawn ${program}: ${err.message}` }));
      child.on('close', (code, signal) => {
        if (stopReason) {
          const what = stopReason === 'timed_out' ? `timed out after ${ctx.timeoutMs} ms` : 'cancelled';
          return finish({ outcome: stopReason, exitCode: code, outputTail: tail.toString(), error: what });
        }
        if (code === 0) return finish({ outcome: 'succeeded', exitCode: 0, outputTail: tail.toString(), error: null });
        finish({ outcome: 'failed', exitCode: code, outputTail: tail.toString(), error: signal ? `killed by ${signal}` : `exit code ${code}` });
      });
    });
  }
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    /* group already gone */
  }
}

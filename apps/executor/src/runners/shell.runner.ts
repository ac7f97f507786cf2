import { spawn } from 'node:child_process';
import { collectSecretValues, DEFAULT_SECRET_POLICY, isSealedValue, type RunSpec, type SecretPolicy } from '@kairos/contracts';
import { DEFAULT_TASK_ENV_ALLOW, taskBaseEnv, type KairosConfig } from '@kairos/platform';
import { ProcessGroupReaper, readProcessIdentity, type ProcessIdentity } from './process-group.reaper';
import type { RunContext, RunResult, TaskRunner } from './runner.port';
import { RedactingTail, scrubMessage } from './task-output';

const KILL_GRACE_MS = 2_000;

export interface ShellRunnerOptions {
  /**
   * The part of the server's environment every task gets (taskBaseEnv(TASK_ENV_ALLOW): PATH, HOME,
   * LANG, LC_ALL, TZ, TMPDIR by default). Never the whole environment: DATABASE_URL, keys and tokens
   * of the server stay with the server.
   */
  baseEnv?: Readonly<Record<string, string>>;
  /** TASK_RUN_AS: run tasks as this unprivileged user (the executor must be root to switch). */
  runAs?: { uid: number; gid: number } | null;
  /** Which env names are secret (their values are scrubbed from output and errors). */
  secretPolicy?: SecretPolicy;
  killGraceMs?: number;
  reaper?: ProcessGroupReaper;
}

export function shellRunnerOptionsFromConfig(config: Pick<KairosConfig, 'TASK_ENV_ALLOW' | 'TASK_RUN_AS' | 'SECRET_ENV_PATTERNS' | 'SECRET_HEADERS'>): ShellRunnerOptions {
  return {
    baseEnv: taskBaseEnv(config.TASK_ENV_ALLOW),
    runAs: config.TASK_RUN_AS ?? null,
    secretPolicy: { envNamePatterns: config.SECRET_ENV_PATTERNS, headerNames: config.SECRET_HEADERS },
  };
}

type ShellSpec = Extract<RunSpec, { kind: 'shell' }>;

/**
 * A task's environment: the allow-listed server variables, then the spec's env and (opened) secretEnv,
 * then KAIROS_TASK_ID / KAIROS_ATTEMPT, which a spec cannot override.
 */
export function buildTaskEnv(base: Readonly<Record<string, string>>, spec: ShellSpec, ctx: Pick<RunContext, 'taskId' | 'attempt'>): Record<string, string> {
  return { ...base, ...spec.env, ...spec.secretEnv, KAIROS_TASK_ID: ctx.taskId, KAIROS_ATTEMPT: String(ctx.attempt) };
}

/**
 * Runs a program without a shell (args array) unless the spec asks for one. The child leads its own
 * process group so timeout and cancellation reach its children too: SIGTERM, then SIGKILL after a grace.
 */
export class ShellRunner implements TaskRunner<'shell'> {
  readonly kind = 'shell' as const;
  private readonly baseEnv: Readonly<Record<string, string>>;
  private readonly runAs: { uid: number; gid: number } | null;
  private readonly policy: SecretPolicy;
  private readonly graceMs: number;
  private readonly reaper: ProcessGroupReaper;

  constructor(opts: ShellRunnerOptions = {}) {
    this.baseEnv = opts.baseEnv ?? taskBaseEnv(DEFAULT_TASK_ENV_ALLOW);
    this.runAs = opts.runAs ?? null;
    this.policy = opts.secretPolicy ?? DEFAULT_SECRET_POLICY;
    this.graceMs = opts.killGraceMs ?? KILL_GRACE_MS;
    this.reaper = opts.reaper ?? new ProcessGroupReaper();
  }

  run(spec: ShellSpec, ctx: RunContext): Promise<RunResult> {
    const secrets = collectSecretValues(spec, this.policy);
    const sealed = Object.entries(spec.secretEnv ?? {}).find(([, v]) => isSealedValue(v));
    if (sealed) {
      // Running with ciphertext in place of the value would fail in confusing ways (or worse, succeed).
      return Promise.resolve({ outcome: 'failed', exitCode: null, outputTail: '', error: `secretEnv.${sealed[0]} is still sealed: the executor must open task secrets (KAIROS_SECRET_KEY) before running` });
    }
    return new Promise((resolve) => {
      const tail = new RedactingTail(ctx.outputTailBytes, secrets);
      const [program, ...args] = spec.shell ? ['/bin/sh', '-c', spec.command.join(' ')] : spec.command;
      let stopReason: 'timed_out' | 'cancelled' | null = null;
      let killTimer: NodeJS.Timeout | null = null;
      let identity: ProcessIdentity | null = null;
      const child = spawn(program, args, {
        cwd: spec.cwd,
        env: buildTaskEnv(this.baseEnv, spec, ctx),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
      });
      if (child.pid) {
        identity = readProcessIdentity(child.pid) ?? { pid: child.pid, pgid: child.pid, startTime: null };
        ctx.onPid?.(child.pid);
        ctx.onProcess?.(identity);
      }
      // Our own child: while it has not been reaped its pid cannot be reused, so signal it directly;
      // after that, only through the reaper's identity check.
      const signalGroup = (sig: NodeJS.Signals) => {
        if (!identity) return;
        if (child.exitCode === null && child.signalCode === null) signalPgid(identity.pgid, sig);
        else this.reaper.signalIfOurs(identity, sig);
      };
      const stop = (reason: 'timed_out' | 'cancelled') => {
        if (stopReason || child.exitCode !== null) return;
        stopReason = reason;
        signalGroup('SIGTERM');
        killTimer = setTimeout(() => signalGroup('SIGKILL'), this.graceMs);
      };
      const timeout = setTimeout(() => stop('timed_out'), ctx.timeoutMs);
      const onAbort = () => stop('cancelled');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => tail.push(c));
      child.stderr.on('data', (c: Buffer) => tail.push(c));
      const finish = (result: RunResult) => {
        clearTimeout(timeout);
        if (killTimer) clearTimeout(killTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        // Reap stragglers the program left in its group.
        signalGroup('SIGKILL');
        resolve(result);
      };
      child.on('error', (err) => finish({ outcome: 'failed', exitCode: null, outputTail: tail.toString(), error: scrubMessage(`spawn ${program}: ${err.message}`, secrets) }));
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

function signalPgid(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* group already gone */
  }
}

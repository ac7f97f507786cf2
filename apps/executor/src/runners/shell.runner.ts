import { spawn } from 'node:child_process';
import { collectSecretValues, DEFAULT_SECRET_POLICY, isSealedValue, type RunSpec, type SecretPolicy } from '@kairos/contracts';
import { DEFAULT_TASK_ENV_ALLOW, taskBaseEnv, type KairosConfig } from '@kairos/platform';
import type { Writable } from 'node:stream';
import { ProcessGroupReaper, readProcessIdentity, type ProcessIdentity } from './process-group.reaper';
import { findProgram, GATE_OPEN } from './process-gate';
import { oomMessage, type AttemptCage, type ResourceLimiter } from './resource-limiter.port';
import { NoLimiter } from './rlimit.limiter';
import type { RunContext, RunResult, TaskRunner } from './runner.port';
import { RedactingTail, scrubMessage } from './task-output';

const KILL_GRACE_MS = 2_000;
const USAGE_SAMPLE_MS = 1_000;

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
  /**
   * Confines each attempt that comes with `ctx.resources` (createResourceLimiter: a cgroup per
   * attempt, else rlimits). Default: none (requests are bookkeeping only).
   */
  limiter?: ResourceLimiter;
  /** How often a running attempt's usage is sampled for ctx.onUsage. */
  usageSampleMs?: number;
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
 * then KAIROS_TASK_ID / KAIROS_ATTEMPT and (given ctx.gpuDevices) CUDA_VISIBLE_DEVICES, which a spec
 * cannot override.
 */
export function buildTaskEnv(base: Readonly<Record<string, string>>, spec: ShellSpec, ctx: Pick<RunContext, 'taskId' | 'attempt' | 'gpuDevices'>): Record<string, string> {
  const env: Record<string, string> = { ...base, ...spec.env, ...spec.secretEnv, KAIROS_TASK_ID: ctx.taskId, KAIROS_ATTEMPT: String(ctx.attempt) };
  // The devices the scheduler gave this attempt, and only those ('' hides every GPU from a task given none).
  if (ctx.gpuDevices) env.CUDA_VISIBLE_DEVICES = ctx.gpuDevices.join(',');
  return env;
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
  private readonly limiter: ResourceLimiter;
  private readonly sampleMs: number;

  constructor(opts: ShellRunnerOptions = {}) {
    this.baseEnv = opts.baseEnv ?? taskBaseEnv(DEFAULT_TASK_ENV_ALLOW);
    this.runAs = opts.runAs ?? null;
    this.policy = opts.secretPolicy ?? DEFAULT_SECRET_POLICY;
    this.graceMs = opts.killGraceMs ?? KILL_GRACE_MS;
    this.reaper = opts.reaper ?? new ProcessGroupReaper();
    this.limiter = opts.limiter ?? new NoLimiter();
    this.sampleMs = opts.usageSampleMs ?? USAGE_SAMPLE_MS;
  }

  run(spec: ShellSpec, ctx: RunContext): Promise<RunResult> {
    const secrets = collectSecretValues(spec, this.policy);
    const sealed = Object.entries(spec.secretEnv ?? {}).find(([, v]) => isSealedValue(v));
    if (sealed) {
      // Running with ciphertext in place of the value would fail in confusing ways (or worse, succeed).
      return Promise.resolve({ outcome: 'failed', exitCode: null, outputTail: '', error: `secretEnv.${sealed[0]} is still sealed: the executor must open task secrets (KAIROS_SECRET_KEY) before running` });
    }
    let cage: AttemptCage | null = null;
    if (ctx.resources) {
      try {
        cage = this.limiter.prepare({ taskId: ctx.taskId, attempt: ctx.attempt, ...ctx.resources });
      } catch (err) {
        return Promise.resolve({ outcome: 'failed', exitCode: null, outputTail: '', error: `resource limits: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return new Promise((resolve) => {
      const tail = new RedactingTail(ctx.outputTailBytes, secrets);
      const [program, ...args] = spec.shell ? ['/bin/sh', '-c', spec.command.join(' ')] : spec.command;
      const env = buildTaskEnv(this.baseEnv, spec, ctx);
      const wrapped = cage ? cage.wrap(program, args) : { program, args, gated: false };
      let stopReason: 'timed_out' | 'cancelled' | null = null;
      let killTimer: NodeJS.Timeout | null = null;
      let identity: ProcessIdentity | null = null;
      if (wrapped.program !== program && !findProgram(program, env.PATH, spec.cwd)) {
        // Through a wrapper a missing program would be the shell's exit 127: say it as spawn would.
        void (cage?.close() ?? Promise.resolve()).then(() => resolve({ outcome: 'failed', exitCode: null, outputTail: '', error: scrubMessage(`spawn ${program}: ENOENT (not found or not executable)`, secrets) }));
        return;
      }
      const child = spawn(wrapped.program, [...wrapped.args], {
        cwd: spec.cwd,
        env,
        stdio: wrapped.gated ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
        detached: true,
        ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
      });
      let admitError: string | null = null;
      if (child.pid) {
        identity = readProcessIdentity(child.pid) ?? { pid: child.pid, pgid: child.pid, startTime: null };
        if (wrapped.gated && cage) admitError = openGate(cage, child.pid, child.stdio[3] as Writable | null);
        ctx.onPid?.(child.pid);
        ctx.onProcess?.(identity);
      }
      const sampler = cage && ctx.onUsage ? setInterval(() => {
        const u = cage.sample();
        if (u) ctx.onUsage?.(u);
      }, this.sampleMs) : null;
      sampler?.unref();
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
      child.stdout?.on('data', (c: Buffer) => tail.push(c));
      child.stderr?.on('data', (c: Buffer) => tail.push(c));
      const finish = (result: RunResult) => {
        clearTimeout(timeout);
        if (killTimer) clearTimeout(killTimer);
        if (sampler) clearInterval(sampler);
        ctx.signal.removeEventListener('abort', onAbort);
        // Reap stragglers the program left in its group.
        signalGroup('SIGKILL');
        if (!cage) return resolve(result);
        const limits = ctx.resources;
        // Closing the cage kills what is left in the attempt's cgroup (even processes that left the
        // process group), reads its final usage and removes it.
        void cage.close().then((usage) => {
          const oom = cage.oomKills() > 0 && result.outcome === 'failed' && cage.memLimitMb !== null && limits !== undefined;
          if (admitError) return resolve({ ...result, error: `resource limits: ${admitError}`, usage });
          if (!oom) return resolve({ ...result, usage });
          resolve({ ...result, oomKilled: true, error: oomMessage(cage.memLimitMb ?? 0, limits?.memMb ?? 0, this.limiter.status().memHeadroomPct), usage });
        });
      };
      child.on('error', (err) => finish({ outcome: 'failed', exitCode: null, outputTail: tail.toString(), error: scrubMessage(`spawn ${wrapped.program === program ? program : `${program} (through ${wrapped.program})`}: ${err.message}`, secrets) }));
      // The attempt ends with its main process: what it left running in its cgroup (daemons that
      // setsid() away, holding our stdout open) is killed now, or 'close' would wait for them.
      if (cage) child.on('exit', () => void cage.close());
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

/**
 * Moves the process waiting at the gate into the attempt's group, then lets it run. On failure the
 * gate is closed unopened: the wrapper exits 125 without running the task. Returns the error, if any.
 */
function openGate(cage: AttemptCage, pid: number, gate: Writable | null): string | null {
  gate?.on('error', () => {}); // EPIPE if the wrapper already died: its exit reports that
  try {
    cage.admit(pid);
  } catch (err) {
    gate?.destroy();
    return err instanceof Error ? err.message : String(err);
  }
  gate?.end(GATE_OPEN);
  return null;
}

function signalPgid(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* group already gone */
  }
}

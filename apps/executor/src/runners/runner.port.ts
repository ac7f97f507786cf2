import type { AttemptOutcomeKind, AttemptUsage, RunSpec } from '@kairos/contracts';
import type { ProcessIdentity } from './process-group.reaper';

export type { AttemptUsage, ProcessIdentity };

export const RUNNERS = Symbol('RUNNERS');

export interface RunContext {
  taskId: string;
  attempt: number;
  timeoutMs: number;
  outputTailBytes: number;
  signal: AbortSignal;
  /** Called once a process exists, so its resources can be sampled. */
  onPid?: (pid: number) => void;
  /**
   * Called once a process exists with what identifies its group beyond a reusable pid (record it per
   * attempt: after a crash, ProcessGroupReaper finds and kills exactly that group before a retry).
   */
  onProcess?: (id: ProcessIdentity) => void;
  /**
   * The task's request: with it the shell runner confines the attempt (the executor's
   * ResourceLimiter: CPU quota, memory limit = memMb + headroom, pids); without it nothing is limited.
   */
  resources?: { cpuMillis: number; memMb: number };
  /** GPU device indices this attempt was given: the task sees exactly these (CUDA_VISIBLE_DEVICES). */
  gpuDevices?: readonly number[];
  /** Called with the attempt's usage while it runs (every usage sample), where the limiter measures it. */
  onUsage?: (usage: AttemptUsage) => void;
}

export interface RunResult {
  outcome: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  outputTail: string;
  error: string | null;
  /**
   * The kernel killed the attempt for exceeding its memory limit (cgroup modes): `outcome` is then
   * `failed` and `error` says "killed: memory limit of N MB exceeded (…)". attemptOutcomeOf() gives
   * the attempt's status (`oom_killed`); the repository records that.
   */
  oomKilled?: boolean;
  /** What the attempt used, read when it ended (absent: not measured in this mode). */
  usage?: AttemptUsage | null;
}

/** The attempt's outcome as recorded (contracts' ATTEMPT_OUTCOMES), from a runner's result. */
export function attemptOutcomeOf(r: Pick<RunResult, 'outcome' | 'oomKilled'>): Exclude<AttemptOutcomeKind, 'lost'> {
  return r.oomKilled && r.outcome === 'failed' ? 'oom_killed' : r.outcome;
}

export interface TaskRunner<K extends RunSpec['kind'] = RunSpec['kind']> {
  readonly kind: K;
  run(spec: Extract<RunSpec, { kind: K }>, ctx: RunContext): Promise<RunResult>;
}

/** Keeps the last `max` bytes of a stream. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private total = 0;
  constructor(private readonly max: number) {}
  /** True once more than `max` bytes went through (the start was dropped). */
  get truncated(): boolean {
    return this.total > this.max;
  }
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.total += chunk.length;
    while (this.size - this.chunks[0].length >= this.max) this.size -= this.chunks.shift()!.length;
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

import type { AttemptUsage } from '@kairos/contracts';
import { DomainError } from '@kairos/platform';

export type { AttemptUsage };

/**
 * How the executor enforces a shell task's resource request (reported in /health):
 * - `cgroup-v2` / `cgroup-v1`: one control group per attempt: CPU quota (throttled, never killed),
 *   memory limit (the kernel kills inside the group: outcome `oom_killed`), pids limit; usage of the
 *   whole process tree read from the group.
 * - `rlimit`: no writable cgroup; per-process data-segment limit (RLIMIT_DATA) only: no CPU quota,
 *   no whole-tree limit or accounting, and a task over it fails with its own allocation error.
 * - `off`: requests are bookkeeping only.
 */
export type LimiterMode = 'cgroup-v2' | 'cgroup-v1' | 'rlimit' | 'off';

export interface LimiterStatus {
  readonly mode: LimiterMode;
  readonly enforced: {
    /** A CPU quota per attempt (throttling). */
    readonly cpu: boolean;
    /** `tree`: the attempt's whole process tree; `process`: each process on its own (rlimit). */
    readonly memory: 'tree' | 'process' | null;
    readonly pids: boolean;
    /** Where per-attempt usage comes from. */
    readonly usage: AttemptUsage['source'] | null;
  };
  readonly memHeadroomPct: number;
  readonly pidsMax: number | null;
  /** Directories the attempt groups are made in (one per cgroup hierarchy in use). */
  readonly groupParents: readonly string[];
  /** Why a weaker mode than asked for, or than the host might allow, is in use (null: none). */
  readonly reason: string | null;
}

/** What one attempt may use: its request (0 = not limited in that dimension). */
export interface AttemptLimits {
  readonly taskId: string;
  readonly attempt: number;
  readonly cpuMillis: number;
  readonly memMb: number;
}

/** The program to spawn in place of the task's own, and whether it waits at the gate (fd 3). */
export interface WrappedCommand {
  readonly program: string;
  readonly args: readonly string[];
  /**
   * A gated wrapper blocks reading one line from fd 3 before it execs the task: the runner spawns
   * it, calls `admit(pid)`, then writes the line. Nothing of the task runs outside its group.
   */
  readonly gated: boolean;
}

/** One attempt's limits, from before its process exists until after everything in it is gone. */
export interface AttemptCage {
  /** The memory limit in MB (request + headroom), null when memory is not limited. */
  readonly memLimitMb: number | null;
  wrap(program: string, args: readonly string[]): WrappedCommand;
  /** Moves the (gated, not yet running) process into the attempt's group(s). */
  admit(pid: number): void;
  /** Usage so far (null where this mode cannot measure it). */
  sample(): AttemptUsage | null;
  /** Processes the kernel OOM-killed inside the attempt so far. */
  oomKills(): number;
  /** Kills everything still in the attempt, reads the final usage and removes the group(s). */
  close(): Promise<AttemptUsage | null>;
}

export interface ResourceLimiter {
  readonly mode: LimiterMode;
  status(): LimiterStatus;
  /** Creates the attempt's group(s) with its limits written; throws ResourceLimitError. */
  prepare(limits: AttemptLimits): AttemptCage;
  /**
   * Kills and removes attempt groups left by an executor that crashed (names with this limiter's
   * prefix under its group parent); returns their names. Call once at start, before running tasks.
   */
  cleanupLeftovers(): Promise<string[]>;
}

export type ResourceLimitErrorCode = 'LIMITS_UNAVAILABLE' | 'CGROUP_SETUP_FAILED' | 'CGROUP_ADMIT_FAILED';

export class ResourceLimitError extends DomainError<ResourceLimitErrorCode> {
  constructor(
    readonly code: ResourceLimitErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** The message an attempt killed for memory ends with. */
export function oomMessage(limitMb: number, requestMb: number, headroomPct: number): string {
  return `killed: memory limit of ${limitMb} MB exceeded (request ${requestMb} MB + ${headroomPct}% headroom)`;
}

import type { RunSpec } from '@kairos/contracts';
import type { ProcessIdentity } from './process-group.reaper';

export type { ProcessIdentity };

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
}

export interface RunResult {
  outcome: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  outputTail: string;
  error: string | null;
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

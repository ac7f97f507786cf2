import type { QueueEntry } from '../model/decision.model';
import type { Task } from '../model/task.model';
import type { DispatchDecision } from '../model/decision.model';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

export interface MlfqOptions extends RankedPolicyOptions {
  readonly levels?: number;
  /** Service (instance-seconds) a job may receive at level 0 before demotion. */
  readonly baseQuantum?: number;
  /** Each level's quantum is this many times the previous one. */
  readonly growth?: number;
  /**
   * Jobs whose attained service is remembered (default 100,000): past it, the least recently served
   * jobs with nothing queued are forgotten (they start at level 0 again), so a long-running executor's
   * memory stays bounded. A job's set of queued task ids goes as soon as the last one leaves the queue.
   */
  readonly maxJobs?: number;
}

/**
 * Non-preemptive multi-level feedback queue for batch work: a job starts in the top level and
 * sinks as it accumulates attained service (observed instance run time), FIFO within a level.
 * Needs no duration knowledge; short jobs finish before they are demoted (least-attained-service).
 */
export class MlfqPolicy extends RankedPolicy {
  readonly name = 'mlfq';
  readonly information = 'none' as const;
  protected readonly mode = 'greedy' as const;
  private readonly levels: number;
  private readonly quantum: number;
  private readonly growth: number;
  private readonly maxJobs: number;
  /** Attained service per job, least recently served first. */
  private readonly attained = new Map<string, number>();
  private readonly queuedByJob = new Map<string, Set<string>>();

  constructor(opts: MlfqOptions) {
    super(opts);
    this.levels = opts.levels ?? 8;
    this.quantum = opts.baseQuantum ?? 60;
    this.growth = opts.growth ?? 4;
    this.maxJobs = opts.maxJobs ?? 100_000;
  }

  /** Jobs with remembered attained service, and jobs with queued-task bookkeeping (tests read them: bounded). */
  get trackedJobs(): { attained: number; queued: number } {
    return { attained: this.attained.size, queued: this.queuedByJob.size };
  }

  levelOf(jobId: string): number {
    const s = this.attained.get(jobId) ?? 0;
    let level = 0;
    let q = this.quantum;
    while (level < this.levels - 1 && s >= q) {
      level++;
      q *= this.growth;
    }
    return level;
  }

  override enqueue(task: Task, count: number, now: number): void {
    super.enqueue(task, count, now);
    let set = this.queuedByJob.get(task.jobId);
    if (!set) this.queuedByJob.set(task.jobId, (set = new Set()));
    set.add(task.id);
  }

  override onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok = true): void {
    // Failed attempts consumed service too, so they count towards demotion.
    void nodeIndex;
    void ok;
    const before = this.levelOf(task.jobId);
    const served = (this.attained.get(task.jobId) ?? 0) + Math.max(0, now - startedAt);
    this.attained.delete(task.jobId); // re-inserted: most recently served last
    this.attained.set(task.jobId, served);
    if (this.attained.size > this.maxJobs) this.forgetIdleJobs();
    const after = this.levelOf(task.jobId);
    if (after === before) return;
    const set = this.queuedByJob.get(task.jobId);
    if (!set) return;
    for (const id of [...set]) {
      const e = this.index.get(id);
      if (!e) set.delete(id);
      else this.index.rekey(id, this.key(e));
    }
  }

  override commit(decision: DispatchDecision, now: number): void {
    const jobId = this.entry(decision.taskId)?.task.jobId;
    super.commit(decision, now);
    if (jobId !== undefined) this.unlinkIfGone(jobId, decision.taskId);
  }

  override remove(taskId: string): void {
    const jobId = this.entry(taskId)?.task.jobId;
    super.remove(taskId);
    if (jobId !== undefined) this.unlinkIfGone(jobId, taskId);
  }

  private unlinkIfGone(jobId: string, taskId: string): void {
    if (this.index.has(taskId)) return;
    const set = this.queuedByJob.get(jobId);
    if (!set) return;
    set.delete(taskId);
    if (set.size === 0) this.queuedByJob.delete(jobId);
  }

  /** Down to 3/4 of maxJobs, oldest served first, skipping jobs that still have queued tasks. */
  private forgetIdleJobs(): void {
    const target = Math.floor((this.maxJobs * 3) / 4);
    for (const jobId of this.attained.keys()) {
      if (this.attained.size <= target) return;
      if (!this.queuedByJob.has(jobId)) this.attained.delete(jobId);
    }
  }

  protected key(e: QueueEntry): number {
    return this.levelOf(e.task.jobId) * 1e10 + e.task.arrival;
  }
}

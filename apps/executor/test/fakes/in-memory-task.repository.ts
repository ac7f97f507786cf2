import { isTerminalStatus, type ResourceRequest, type RunSpec, type TaskStatus } from '@kairos/contracts';
import { nextStatusAfterAttempt } from '../../src/tasks/task-state-machine';
import type { AttemptOutcome, ClaimedTask, ClaimRequest, CompletionPlan, DueTasks, EndedAttempt, RecoveredTask, RunnableTask, TaskRepository } from '../../src/tasks/task.repository';

export interface FakeTask {
  id: string;
  name: string | null;
  tenant?: string;
  queue: string;
  priority: number;
  resources: ResourceRequest;
  run: RunSpec;
  timeoutMs: number;
  maxAttempts: number;
  status: TaskStatus;
  attempts: number;
  lostCount: number;
  nodeId: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  predictedP50Ms: number | null;
  workflowRunId: string | null;
  leaseOwner: string | null;
  /** Not before (a claimed task waits for it). */
  runAfter?: Date;
}

/**
 * The executor's TaskRepository in memory, with the same guards as the SQL: claims only queued,
 * uncancelled tasks; a completion counts only for the running attempt it belongs to; the next status
 * comes from the real state machine. `outcomes` records every attempt's end, in order.
 */
export class InMemoryTaskRepository implements TaskRepository {
  readonly tasks = new Map<string, FakeTask>();
  readonly outcomes: Array<{ taskId: string; attempt: number; outcome: AttemptOutcome['outcome'] | 'lost'; status: TaskStatus | null; startedAtMs?: number | null }> = [];
  private seq = 0;
  /** The back-off this fake reports for a retry (the real one draws it from the retry policy). */
  retryDelayMs = 1000;

  /** `executorId`: the executor whose adopt() this fake answers (the one under test). */
  constructor(readonly executorId = 'exec-t') {}

  add(t: Partial<FakeTask> & { id: string }): FakeTask {
    const task: FakeTask = {
      name: null,
      queue: 'default',
      priority: 50,
      resources: { cpuMillis: 100, memMb: 64, gpu: 0 },
      run: { kind: 'noop', sleepMs: 0 },
      timeoutMs: 60_000,
      maxAttempts: 1,
      status: 'queued',
      attempts: 0,
      lostCount: 0,
      nodeId: null,
      cancelRequested: false,
      createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + this.seq++),
      predictedP50Ms: null,
      workflowRunId: null,
      leaseOwner: null,
      ...t,
    };
    this.tasks.set(task.id, task);
    return task;
  }

  status(id: string): TaskStatus | undefined {
    return this.tasks.get(id)?.status;
  }

  async listReady(queues: string[]): Promise<RunnableTask[]> {
    return [...this.tasks.values()]
      .filter((t) => t.status === 'queued' && !t.cancelRequested && queues.includes(t.queue))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((t) => ({ id: t.id, name: t.name, tenant: t.tenant ?? 'default', queue: t.queue, priority: t.priority, resources: t.resources, createdAt: t.createdAt, predictedP50Ms: t.predictedP50Ms, attempts: t.attempts }));
  }

  async listDue(queues: string[]): Promise<DueTasks> {
    return { ready: await this.listReady(queues), nextRunAfterMs: null };
  }

  async claim(assignments: ClaimRequest[]): Promise<ClaimedTask[]> {
    const out: ClaimedTask[] = [];
    for (const a of assignments) {
      const t = this.tasks.get(a.taskId);
      if (!t || t.status !== 'queued' || t.cancelRequested) continue;
      t.status = 'running';
      t.attempts++;
      t.nodeId = a.nodeId;
      t.leaseOwner = a.executorId ?? this.executorId;
      out.push(this.claimed(t));
    }
    return out;
  }

  async adopt(running: string[]): Promise<ClaimedTask[]> {
    return [...this.tasks.values()].filter((t) => t.status === 'running' && t.leaseOwner === this.executorId && !running.includes(t.id)).map((t) => this.claimed(t));
  }

  async endedAttempts(keys: Array<{ taskId: string; attempt: number }>): Promise<EndedAttempt[]> {
    return keys.flatMap((k) => {
      const o = this.outcomes.find((x) => x.taskId === k.taskId && x.attempt === k.attempt);
      return o ? [{ taskId: k.taskId, attempt: k.attempt, status: o.status === null ? 'abandoned' : o.outcome, durationMs: null }] : [];
    });
  }

  /** Requests and count of the running attempts on a node (what the cluster view sums). */
  usageOn(nodeId: string): { cpu: number; mem: number; n: number; gpu: number } {
    const on = [...this.tasks.values()].filter((t) => t.status === 'running' && t.nodeId === nodeId);
    return { cpu: on.reduce((s, t) => s + t.resources.cpuMillis, 0), mem: on.reduce((s, t) => s + t.resources.memMb, 0), n: on.length, gpu: on.reduce((s, t) => s + (t.resources.gpu ?? 0), 0) };
  }

  /** Queues with queued work (what an ownership round takes). */
  queuedQueues(): string[] {
    return [...new Set([...this.tasks.values()].filter((t) => t.status === 'queued').map((t) => t.queue))];
  }

  private claimed(t: FakeTask): ClaimedTask {
    return {
      id: t.id, name: t.name, tenant: t.tenant ?? 'default', queue: t.queue, priority: t.priority, resources: t.resources, createdAt: t.createdAt, predictedP50Ms: t.predictedP50Ms,
      attempts: t.attempts, run: t.run, timeoutMs: t.timeoutMs, maxAttempts: t.maxAttempts, nodeId: t.nodeId!, attempt: t.attempts, lostCount: t.lostCount,
      startedAt: new Date(), workflowRunId: t.workflowRunId, leaseOwner: t.leaseOwner ?? this.executorId,
      ...(t.runAfter ? { runAfter: t.runAfter } : {}),
    };
  }

  async completeAttempt(task: ClaimedTask, result: AttemptOutcome, planned?: (plan: CompletionPlan) => void): Promise<TaskStatus | null> {
    const t = this.tasks.get(task.id);
    if (!t || t.status !== 'running' || t.attempts !== task.attempt) {
      this.outcomes.push({ taskId: task.id, attempt: task.attempt, outcome: result.outcome, status: null });
      return null;
    }
    const next = nextStatusAfterAttempt(result.outcome, task.attempt - task.lostCount, task.maxAttempts, 0);
    planned?.({ next, delayMs: next === 'queued' ? this.retryDelayMs : 0, chargedAttempts: task.attempt - task.lostCount });
    t.status = next;
    this.outcomes.push({ taskId: task.id, attempt: task.attempt, outcome: result.outcome, status: next, startedAtMs: result.startedAtMs ?? null });
    return next;
  }

  async renewLeases(): Promise<number> {
    return [...this.tasks.values()].filter((t) => t.status === 'running').length;
  }

  /** What the next lease-recovery round reports (another executor's lapsed leases; set by a test). */
  expired: RecoveredTask[] = [];

  async recoverExpiredLeases(): Promise<RecoveredTask[]> {
    const out = this.expired;
    this.expired = [];
    return out;
  }

  /** Every running task of this fake belongs to the one executor under test: a restart loses them all. */
  async recoverOwnLeases(): Promise<RecoveredTask[]> {
    const out: RecoveredTask[] = [];
    for (const t of this.tasks.values()) {
      if (t.status !== 'running') continue;
      t.lostCount++;
      t.status = nextStatusAfterAttempt('lost', t.attempts, t.maxAttempts, t.lostCount);
      this.outcomes.push({ taskId: t.id, attempt: t.attempts, outcome: 'lost', status: t.status });
      const reason = `attempt ${t.attempts} lost: executor ${this.executorId} restarted while running it`;
      out.push({ id: t.id, status: t.status, nodeId: t.nodeId, attempt: t.attempts, leaseOwner: t.leaseOwner ?? this.executorId, lostCount: t.lostCount, reason });
    }
    return out;
  }

  async requeueRestarted(task: ClaimedTask): Promise<TaskStatus | null> {
    const t = this.tasks.get(task.id);
    if (!t || t.status !== 'running' || t.attempts !== task.attempt) return null;
    t.lostCount++;
    t.status = nextStatusAfterAttempt('lost', t.attempts, t.maxAttempts, t.lostCount);
    this.outcomes.push({ taskId: t.id, attempt: task.attempt, outcome: 'lost', status: t.status });
    return t.status;
  }

  async applyCancellations(): Promise<string[]> {
    for (const t of this.tasks.values()) if (t.status === 'queued' && t.cancelRequested) t.status = 'cancelled';
    return [...this.tasks.values()].filter((t) => t.status === 'running' && t.cancelRequested).map((t) => t.id);
  }

  async recordPrediction(taskId: string, p50Ms: number): Promise<void> {
    const t = this.tasks.get(taskId);
    if (t && t.status === 'queued') t.predictedP50Ms = p50Ms;
  }

  async requestCancel(taskId: string): Promise<boolean> {
    const t = this.tasks.get(taskId);
    if (!t || (t.status !== 'queued' && t.status !== 'running')) return false;
    t.cancelRequested = true;
    return true;
  }

  terminal(): FakeTask[] {
    return [...this.tasks.values()].filter((t) => isTerminalStatus(t.status));
  }
}

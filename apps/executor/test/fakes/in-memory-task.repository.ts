import { isTerminalStatus, type ResourceRequest, type RunSpec, type TaskStatus } from '@kairos/contracts';
import { nextStatusAfterAttempt } from '../../src/tasks/task-state-machine';
import type { AttemptOutcome, ClaimedTask, RunnableTask, TaskRepository } from '../../src/tasks/task.repository';

export interface FakeTask {
  id: string;
  name: string | null;
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
}

/**
 * The executor's TaskRepository in memory, with the same guards as the SQL: claims only queued,
 * uncancelled tasks; a completion counts only for the running attempt it belongs to; the next status
 * comes from the real state machine. `outcomes` records every attempt's end, in order.
 */
export class InMemoryTaskRepository implements TaskRepository {
  readonly tasks = new Map<string, FakeTask>();
  readonly outcomes: Array<{ taskId: string; attempt: number; outcome: AttemptOutcome['outcome'] | 'lost'; status: TaskStatus | null }> = [];
  private seq = 0;

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
      ...t,
    };
    this.tasks.set(task.id, task);
    return task;
  }

  status(id: string): TaskStatus | undefined {
    return this.tasks.get(id)?.status;
  }

  async listRunnable(limit: number): Promise<RunnableTask[]> {
    return [...this.tasks.values()]
      .filter((t) => t.status === 'queued' && !t.cancelRequested)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((t) => ({ id: t.id, name: t.name, queue: t.queue, priority: t.priority, resources: t.resources, createdAt: t.createdAt, predictedP50Ms: t.predictedP50Ms, attempts: t.attempts }));
  }

  async claim(assignments: Array<{ taskId: string; nodeId: string }>): Promise<ClaimedTask[]> {
    const out: ClaimedTask[] = [];
    for (const a of assignments) {
      const t = this.tasks.get(a.taskId);
      if (!t || t.status !== 'queued' || t.cancelRequested) continue;
      t.status = 'running';
      t.attempts++;
      t.nodeId = a.nodeId;
      out.push({
        id: t.id, name: t.name, queue: t.queue, priority: t.priority, resources: t.resources, createdAt: t.createdAt, predictedP50Ms: t.predictedP50Ms,
        attempts: t.attempts, run: t.run, timeoutMs: t.timeoutMs, maxAttempts: t.maxAttempts, nodeId: a.nodeId, attempt: t.attempts, lostCount: t.lostCount,
        startedAt: new Date(), workflowRunId: t.workflowRunId,
      });
    }
    return out;
  }

  async completeAttempt(task: ClaimedTask, result: AttemptOutcome): Promise<TaskStatus | null> {
    const t = this.tasks.get(task.id);
    if (!t || t.status !== 'running' || t.attempts !== task.attempt) {
      this.outcomes.push({ taskId: task.id, attempt: task.attempt, outcome: result.outcome, status: null });
      return null;
    }
    const next = nextStatusAfterAttempt(result.outcome, task.attempt - task.lostCount, task.maxAttempts, 0);
    t.status = next;
    this.outcomes.push({ taskId: task.id, attempt: task.attempt, outcome: result.outcome, status: next });
    return next;
  }

  async renewLeases(): Promise<number> {
    return [...this.tasks.values()].filter((t) => t.status === 'running').length;
  }

  async recoverExpiredLeases(): Promise<Array<{ id: string; status: TaskStatus }>> {
    return [];
  }

  /** Every running task of this fake belongs to the one executor under test: a restart loses them all. */
  async recoverOwnLeases(): Promise<Array<{ id: string; status: TaskStatus }>> {
    const out: Array<{ id: string; status: TaskStatus }> = [];
    for (const t of this.tasks.values()) {
      if (t.status !== 'running') continue;
      t.lostCount++;
      t.status = nextStatusAfterAttempt('lost', t.attempts, t.maxAttempts, t.lostCount);
      this.outcomes.push({ taskId: t.id, attempt: t.attempts, outcome: 'lost', status: t.status });
      out.push({ id: t.id, status: t.status });
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

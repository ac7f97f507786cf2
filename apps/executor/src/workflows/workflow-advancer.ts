import { Inject, Injectable } from '@nestjs/common';
import type { WorkflowStatus } from '@kairos/contracts';
import { OutboxRelayService } from '@kairos/runtime';
import { snapshotRun } from '@kairos/scheduling-core';
import { ExecutorService } from '../execution/executor.service';
import { dagOf, planAdvance } from './workflow-advance.policy';
import { WORKFLOW_RUN_REPOSITORY, type WorkflowRunRepository } from './workflow-run.repository';

export interface AdvanceResult {
  inserted: number;
  status: WorkflowStatus;
}

/**
 * Moves workflow runs forward. Each step locks the run row, resumes from its checkpoint in
 * PostgreSQL (never from memory), inserts newly runnable tasks with their outbox events and saves the
 * new checkpoint in the same transaction, so any executor can do it and a crash loses nothing.
 */
@Injectable()
export class WorkflowAdvancer {
  /** Per run: the advance in progress, and one not yet started that later requests share. */
  private readonly running = new Map<string, Promise<AdvanceResult | null>>();
  private readonly queued = new Map<string, Promise<AdvanceResult | null>>();

  constructor(
    @Inject(WORKFLOW_RUN_REPOSITORY) private readonly runs: WorkflowRunRepository,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
    @Inject(ExecutorService) private readonly executor: Pick<ExecutorService, 'kick'>,
  ) {}

  /** New tasks were inserted: publish their events and schedule now. */
  private onInserted(): void {
    this.relay.kick();
    this.executor.kick();
  }

  /**
   * Called for every task.completed.v1; tasks outside workflows are ignored. `workflowRunId` comes from
   * the event when its producer knew it (null = no workflow); only when absent is the task row read.
   */
  async onTaskCompleted(taskId: string, workflowRunId?: string | null): Promise<AdvanceResult | null> {
    let runId = workflowRunId;
    if (runId === undefined) runId = await this.runs.workflowRunOf(taskId);
    return runId ? this.request(runId) : null;
  }

  /**
   * Coalesces advancement requests for one run: completions that arrive while an advance is running
   * share a single follow-up advance, which starts after the current one and so sees every task row
   * committed before those events. A wide fan-out then costs a few advances instead of one per task.
   */
  request(runId: string): Promise<AdvanceResult | null> {
    const waiting = this.queued.get(runId);
    if (waiting) return waiting;
    const prev = this.running.get(runId) ?? Promise.resolve(null);
    const p: Promise<AdvanceResult | null> = prev
      .catch(() => null)
      .then(() => {
        // Started: requests from now on need another advance, since their rows may be missed by this one.
        this.queued.delete(runId);
        this.running.set(runId, p);
        return this.advance(runId);
      })
      .finally(() => {
        if (this.running.get(runId) === p) this.running.delete(runId);
      });
    this.queued.set(runId, p);
    return p;
  }

  async advance(runId: string): Promise<AdvanceResult | null> {
    const result = await this.runs.advanceLocked(runId, (w, observed) => {
      const plan = planAdvance(dagOf(w.dag.tasks), w.checkpoint, observed);
      if (!plan.changed) return null;
      const byKey = new Map(w.dag.tasks.map((t) => [t.key, t]));
      const status: WorkflowStatus = plan.status;
      return { start: plan.start.map((k) => byKey.get(k)!), upstreamFailed: plan.upstreamFailed.map((k) => byKey.get(k)!), checkpoint: snapshotRun(plan.state), status };
    });
    if (result?.inserted) this.onInserted();
    return result;
  }

  /** Advances runs whose tasks finished but whose completion event was missed (lost event, crash before handling). */
  async reconcile(limit = 100): Promise<number> {
    const stale = await this.runs.staleRuns(limit);
    for (const id of stale) await this.advance(id);
    return stale.length;
  }
}

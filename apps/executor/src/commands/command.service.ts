import { Inject, Injectable } from '@nestjs/common';
import { HandlerError } from '@kairos/bus';
import type { QueuePolicyRequested, TaskCancelRequested, WorkflowCancelRequested } from '@kairos/contracts';
import { APP_IDENTITY, type AppIdentity } from '@kairos/runtime';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import { ExecutorService } from '../execution/executor.service';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository } from '../execution/queue-policy.repository';
import { TASK_REPOSITORY, type TaskRepository } from '../tasks/task.repository';
import { WORKFLOW_RUN_REPOSITORY, type WorkflowRunRepository } from '../workflows/workflow-run.repository';

/**
 * Applies what other services ask of the executor's tables (the gateway's cancellations and queue
 * policy changes). Each is idempotent: a redelivered command changes nothing more.
 */
@Injectable()
export class CommandService {
  constructor(
    @Inject(TASK_REPOSITORY) private readonly tasks: TaskRepository,
    @Inject(WORKFLOW_RUN_REPOSITORY) private readonly runs: WorkflowRunRepository,
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly policies: QueuePolicyRepository,
    @Inject(ExecutorService) private readonly executor: Pick<ExecutorService, 'invalidateNodeState' | 'defaultPolicy'>,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  /** Queued: cancelled at the next lease round; running: its executor stops it then. */
  async cancelTask(c: TaskCancelRequested): Promise<void> {
    const applied = await this.tasks.requestCancel(c.taskId);
    if (!applied) this.id.logger.info({ taskId: c.taskId }, 'cancellation of a task that had already ended: nothing to do');
  }

  async cancelWorkflow(c: WorkflowCancelRequested): Promise<void> {
    const applied = await this.runs.cancel(c.workflowRunId, c.generation);
    if (!applied) this.id.logger.info({ workflowRunId: c.workflowRunId, generation: c.generation }, 'cancellation of a workflow generation no longer running: nothing to do');
  }

  async setQueuePolicy(c: QueuePolicyRequested): Promise<void> {
    if (c.policy !== undefined && !(POLICY_NAMES as readonly string[]).includes(c.policy)) throw new HandlerError(`policy: unknown ordering policy "${c.policy}"`, false);
    if (c.placement !== undefined && !(PLACEMENT_NAMES as readonly string[]).includes(c.placement)) throw new HandlerError(`placement: unknown placement "${c.placement}"`, false);
    const change = { policy: c.policy, placement: c.placement, maxConcurrent: c.maxConcurrent };
    await this.policies.setPolicy(c.queue, change, this.executor.defaultPolicy);
    this.executor.invalidateNodeState();
    this.id.logger.info({ queue: c.queue, ...change }, 'queue policy changed');
  }
}

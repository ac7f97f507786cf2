import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Runtime } from '@kairos/runtime';
import type { ExecutorLifecycle } from '../executor.module';
import { WorkflowAdvancer } from './workflow-advancer';

const RECONCILE_MS = 3_000;

/** Subscribes the advancer to task completions and runs the periodic reconciliation. */
export class WorkflowsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly advancer: WorkflowAdvancer;
  private timer: NodeJS.Timeout | null = null;
  private reconciling = false;

  constructor(
    private readonly rt: Runtime,
    executor: ExecutorLifecycle,
  ) {
    this.advancer = new WorkflowAdvancer(rt.db, () => {
      executor.relay.kick();
      executor.service.kick();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rt.bus.subscribe('task.completed.v1', { group: 'executor-workflows' }, async (e) => {
      await this.advancer.onTaskCompleted(e.payload.taskId, e.payload.workflowRunId);
    });
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
    void this.reconcile();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      const n = await this.advancer.reconcile();
      if (n) this.rt.logger.info({ workflows: n }, 'workflow reconciliation advanced runs');
    } catch (err) {
      this.rt.logger.error({ err }, 'workflow reconciliation failed');
    } finally {
      this.reconciling = false;
    }
  }
}

import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_IDENTITY, type AppIdentity } from '@kairos/runtime';
import { WorkflowAdvancer } from './workflow-advancer';

const RECONCILE_MS = 3_000;

/** Every few seconds, advances runs whose completion events were missed (lost, or a crash before handling). */
@Injectable()
export class WorkflowReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private reconciling = false;

  constructor(
    private readonly advancer: WorkflowAdvancer,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
    void this.reconcile();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      const n = await this.advancer.reconcile();
      if (n) this.id.logger.info({ workflows: n }, 'workflow reconciliation advanced runs');
    } catch (err) {
      this.id.logger.error({ err }, 'workflow reconciliation failed');
    } finally {
      this.reconciling = false;
    }
  }
}

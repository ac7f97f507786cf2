import { Inject, Injectable } from '@nestjs/common';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, type AppIdentity } from '@kairos/runtime';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository, type QueuePolicyRow, type QueueRow } from './queue-policy.repository';

/** Ordering policy and placement per queue, switchable while the platform runs (executors re-read within a second). */
@Injectable()
export class QueuePolicyService {
  constructor(
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly policies: QueuePolicyRepository,
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  async list(): Promise<{ defaultPolicy: string; policies: readonly string[]; placements: readonly string[]; queues: QueueRow[] }> {
    return { defaultPolicy: this.config.SCHEDULER_POLICY, policies: POLICY_NAMES, placements: PLACEMENT_NAMES, queues: await this.policies.listQueues() };
  }

  async set(queue: string, p: { policy: string; placement: string }): Promise<QueuePolicyRow> {
    const row = await this.policies.setPolicy(queue, p.policy, p.placement);
    this.id.logger.info({ queue, ...p }, 'queue policy changed');
    return row;
  }
}

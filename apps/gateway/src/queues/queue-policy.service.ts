import { Inject, Injectable } from '@nestjs/common';
import { makeEnvelope } from '@kairos/contracts';
import { PLACEMENT_NAMES, POLICY_NAMES } from '@kairos/scheduling-core';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, OutboxRelayService, type AppIdentity } from '@kairos/runtime';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository, type QueueRow } from './queue-policy.repository';

/** What a PUT changes; an omitted field keeps the queue's current value. */
export interface QueuePolicyChange {
  policy?: string;
  placement?: string;
  maxConcurrent?: number | null;
}

/** Ordering policy and placement per queue, switchable while the platform runs (executors re-read within a second). */
@Injectable()
export class QueuePolicyService {
  constructor(
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly policies: QueuePolicyRepository,
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
  ) {}

  async list(): Promise<{ defaultPolicy: string; policies: readonly string[]; placements: readonly string[]; queues: QueueRow[] }> {
    return { defaultPolicy: this.config.SCHEDULER_POLICY, policies: POLICY_NAMES, placements: PLACEMENT_NAMES, queues: await this.policies.listQueues() };
  }

  /** Asks the executor (owner of queue_policies) to switch the queue; executors pick it up within a second of applying it. */
  async set(queue: string, p: QueuePolicyChange): Promise<QueuePolicyChange & { queue: string; status: 'requested' }> {
    await this.policies.requestPolicy(makeEnvelope('queue.policy.requested.v1', queue, { queue, ...p, requestedAt: new Date().toISOString() }));
    this.relay.kick();
    this.id.logger.info({ queue, ...p }, 'queue policy change requested');
    return { queue, ...p, status: 'requested' };
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { makeEnvelope, type SubmitRepair } from '@kairos/contracts';
import { OutboxRelayService } from '@kairos/runtime';
import { REPAIR_REQUEST_REPOSITORY, type RepairRequestRepository } from './repair-request.repository';

/** Operators' repair requests: a repair.requested.v1 event the executor applies (and audits). */
@Injectable()
export class RepairRequestService {
  constructor(
    @Inject(REPAIR_REQUEST_REPOSITORY) private readonly repairs: RepairRequestRepository,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
  ) {}

  /** `requestedBy`: the caller for the audit (`api:key:<id>`). */
  async request(r: SubmitRepair, requestedBy = 'api'): Promise<{ actionId: string; status: 'requested' }> {
    const actionId = randomUUID();
    await this.repairs.appendRequest(makeEnvelope('repair.requested.v1', actionId, { actionId, action: r.action, reason: r.reason, confidence: r.confidence, dryRun: r.dryRun, requestedBy }));
    this.relay.kick();
    return { actionId, status: 'requested' };
  }

  audit(limit = 200): Promise<unknown[]> {
    return this.repairs.audit(limit);
  }
}

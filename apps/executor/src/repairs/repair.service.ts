import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RepairRequested } from '@kairos/contracts';
import { APP_IDENTITY, type AppIdentity } from '@kairos/runtime';
import { ExecutorService } from '../execution/executor.service';
import { repairDecisionRecord } from '../execution/outcome-decisions';
import { REPAIR_REPOSITORY, type RepairOutcome, type RepairRepository, type RepairWrites } from './repair.repository';

/**
 * Applies one repair decision and writes its audit record in the same transaction. Idempotent by
 * actionId: a redelivered request is not applied twice. Node cordons and queue throttles live in
 * PostgreSQL, so every executor replica (and a restarted one) sees them.
 */
@Injectable()
export class RepairService {
  constructor(
    @Inject(REPAIR_REPOSITORY) private readonly repairs: RepairRepository,
    @Inject(ExecutorService) private readonly executor: Pick<ExecutorService, 'defaultPolicy' | 'invalidateNodeState' | 'recordDecision'>,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  async apply(req: RepairRequested): Promise<RepairOutcome | null> {
    const outcome = await this.repairs.applyOnce(req, this.id.instanceId, (w) => (req.dryRun ? this.describe(w, req) : this.perform(w, req)));
    if (outcome) {
      this.id.logger.warn({ action: req.action, ...outcome, reason: req.reason }, 'repair action');
      // A 'repair' decision record (batched with the retry and fail-over ones); a redelivery records nothing.
      this.executor.recordDecision(repairDecisionRecord({ decisionId: randomUUID(), at: new Date(), request: req, status: outcome.status, detail: outcome.detail }));
    }
    this.executor.invalidateNodeState();
    return outcome;
  }

  private async describe(w: RepairWrites, req: RepairRequested): Promise<RepairOutcome> {
    return (await this.precondition(w, req)) ?? { status: 'dry_run', detail: `would apply ${req.action.kind}: ${JSON.stringify(req.action)}` };
  }

  private async precondition(w: RepairWrites, req: RepairRequested): Promise<RepairOutcome | null> {
    const a = req.action;
    if (a.kind === 'cordon_node' || a.kind === 'uncordon_node' || a.kind === 'drain_node' || a.kind === 'restart_runner') {
      if (!(await w.nodeExists(a.nodeId))) return { status: 'rejected', detail: `unknown node ${a.nodeId}` };
    }
    return null;
  }

  private async perform(w: RepairWrites, req: RepairRequested): Promise<RepairOutcome> {
    const rejected = await this.precondition(w, req);
    if (rejected) return rejected;
    const a = req.action;
    switch (a.kind) {
      case 'cordon_node':
      case 'drain_node':
        await w.setCordoned(a.nodeId, true);
        return { status: 'applied', detail: a.kind === 'drain_node' ? `node ${a.nodeId} cordoned; running attempts finish, no new work` : `node ${a.nodeId} cordoned` };
      case 'uncordon_node':
        await w.setCordoned(a.nodeId, false);
        return { status: 'applied', detail: `node ${a.nodeId} accepts work again` };
      case 'restart_runner':
        await w.requestNodeRestart(a.nodeId);
        return { status: 'applied', detail: `node ${a.nodeId}: its executor restarts the attempts running there (requeued, not charged to their retry budget)` };
      case 'throttle_queue':
        await w.throttleQueue(a.queue, a.maxConcurrent, this.executor.defaultPolicy);
        return { status: 'applied', detail: a.maxConcurrent === null ? `queue ${a.queue} unthrottled` : `queue ${a.queue} limited to ${a.maxConcurrent} running tasks` };
      case 'scale_request':
        return { status: 'forwarded', detail: `scale ${a.service} by ${a.delta}: recorded for an external autoscaler (Kairos starts no machines itself)` };
      default: {
        const unreachable: never = a;
        return { status: 'rejected', detail: `unknown action ${JSON.stringify(unreachable)}` };
      }
    }
  }
}

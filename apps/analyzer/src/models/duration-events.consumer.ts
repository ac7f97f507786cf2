import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { APP_IDENTITY, OutboxRelayService, type AppIdentity } from '@kairos/runtime';
import { taskSignature } from '../estimates/duration-baseline';
import { DURATION_MODEL, DurationModelService } from './duration-model.service';

/** Consumer group `analyzer`: replicas share the partitions, so each task is estimated and recorded once. */
const GROUP: ConsumerOptions = { group: 'analyzer' };

@Controller()
export class DurationEventsConsumer {
  constructor(
    private readonly durations: DurationModelService,
    private readonly relay: OutboxRelayService,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  /** A finished task: duration history, the outcome of its prediction (accuracy), live features. */
  @EventPattern('task.completed.v1', GROUP)
  async onCompleted(@Payload() e: Envelope<'task.completed.v1'>): Promise<void> {
    const p = e.payload;
    await this.durations.recordFinished({ taskId: p.taskId, attempt: p.attempt, status: p.status, durationMs: p.durationMs, finishedAt: p.finishedAt, fallbackSignature: `${p.queue}|${p.kind}|${p.name ?? ''}` });
    this.durations.observeFinished(p.taskId, Date.parse(p.finishedAt), p.status === 'succeeded');
  }

  /** A queued task: estimate its duration (production model, else moving average) and publish the estimate. */
  @EventPattern('task.queued.v1', GROUP)
  async onQueued(@Payload() e: Envelope<'task.queued.v1'>): Promise<void> {
    const p = e.payload;
    const signature = taskSignature(p.queue, p.name, p.run);
    const { estimate, features } = await this.durations.estimateWithFeatures({ signature, cpuMillis: p.resources.cpuMillis, memMb: p.resources.memMb, createdAtMs: Date.parse(p.submittedAt) });
    this.durations.observeQueued(p, signature);
    await this.durations.storeEstimate({ taskId: p.taskId, signature, estimate, traceId: e.traceId, ...(features ? { features } : {}) });
    this.relay.kick();
  }

  /** One replica of the group handles each drift event, so a retrain is started once. */
  @EventPattern('model.drift.detected.v1', GROUP)
  async onDrift(@Payload() e: Envelope<'model.drift.detected.v1'>): Promise<void> {
    const p = e.payload;
    if (p.name !== DURATION_MODEL || p.decision !== 'retrain' || !p.autoRetrain) return;
    this.id.logger.warn({ reasons: p.reasons }, 'drift: retraining the duration model');
    await this.durations.train({}, `drift:${p.reportId}`).catch((err: unknown) => this.id.logger.error({ err }, 'automatic retraining failed'));
  }
}

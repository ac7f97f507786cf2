import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { OutboxRelay } from '@kairos/persistence';
import type { Runtime } from '@kairos/runtime';
import { TaskSubmissionService } from './tasks/task-submission.service';

/** The gateway's long-lived parts: its outbox relay, task submission, and the dead-letter store. */
export class GatewayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;
  readonly submissions: TaskSubmissionService;
  constructor(private readonly rt: Runtime) {
    this.relay = new OutboxRelay(rt.db, rt.bus, 'gateway', (err) => rt.logger.error({ err }, 'outbox relay failed'), 200);
    this.submissions = new TaskSubmissionService(rt.db, () => this.relay.kick());
  }
  async onApplicationBootstrap(): Promise<void> {
    // Dead letters are kept for operators (GET /api/dead-letters). A broken dead letter is logged, never re-dead-lettered.
    await this.rt.bus.subscribe('kairos.deadletter.v1', { group: 'gateway-dead-letters', maxAttempts: 3 }, async (e) => {
      const d = e.payload;
      await this.rt.db.query(
        `INSERT INTO dead_letters (event_id, topic, consumer, reason, original, failed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
        [e.eventId, d.topic, d.consumer, d.reason, d.original, d.failedAt],
      );
    });
    this.relay.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}


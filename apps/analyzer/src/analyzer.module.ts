import { Module, type DynamicModule, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { makeEnvelope } from '@kairos/contracts';
import { appendToOutbox, OutboxRelay } from '@kairos/persistence';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { movingAverageEstimate, taskSignature } from './estimates/duration-baseline';

const HISTORY = 20;

/** Learns task durations from completions and estimates each queued task's duration. */
export class AnalyzerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;
  constructor(private readonly rt: Runtime) {
    this.relay = new OutboxRelay(rt.db, rt.bus, 'analyzer', (err) => rt.logger.error({ err }, 'outbox relay failed'), 200);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { bus, db } = this.rt;
    await bus.subscribe('task.completed.v1', { group: 'analyzer' }, async (e) => {
      const p = e.payload;
      const known = await db.query<{ signature: string }>(`SELECT signature FROM duration_estimates WHERE task_id = $1`, [p.taskId]);
      const signature = known[0]?.signature ?? `${p.queue}|${p.kind}|${p.name ?? ''}`;
      await db.query(
        `INSERT INTO duration_history (task_id, attempt, signature, status, duration_ms, finished_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (task_id, attempt) DO NOTHING`,
        [p.taskId, p.attempt, signature, p.status, p.durationMs, p.finishedAt],
      );
    });
    await bus.subscribe('task.queued.v1', { group: 'analyzer' }, async (e) => {
      const p = e.payload;
      const signature = taskSignature(p.queue, p.name, p.run);
      const history = await db.query<{ duration_ms: number }>(
        `SELECT duration_ms FROM duration_history WHERE signature = $1 AND status = 'succeeded' ORDER BY finished_at DESC LIMIT ${HISTORY}`,
        [signature],
      );
      const est = movingAverageEstimate(history.map((h) => h.duration_ms));
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO duration_estimates (task_id, signature, p50_ms, p90_ms, model, model_version, based_on, estimated_at)
           VALUES ($1, $2, $3, $4, 'moving-average', 'v1', $5, now()) ON CONFLICT (task_id) DO NOTHING RETURNING task_id`,
          [p.taskId, signature, est?.p50Ms ?? 0, est?.p90Ms ?? 0, history.length],
        );
        if (inserted.length && est) {
          await appendToOutbox(tx, 'analyzer', [
            makeEnvelope('prediction.duration.estimated.v1', p.taskId, { taskId: p.taskId, p50Ms: est.p50Ms, p90Ms: est.p90Ms, model: 'moving-average', modelVersion: 'v1', basedOn: history.length, estimatedAt: new Date().toISOString() }, { traceId: e.traceId }),
          ]);
        }
      });
      this.relay.kick();
    });
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

@Module({})
export class AnalyzerModule {
  static forRuntime(rt: Runtime): DynamicModule {
    return {
      module: AnalyzerModule,
      providers: [{ provide: RUNTIME, useValue: rt }, { provide: AnalyzerLifecycle, useFactory: () => new AnalyzerLifecycle(rt) }],
    };
  }
}

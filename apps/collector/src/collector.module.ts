import { Controller, Get, Inject, Module, Param, type DynamicModule, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { MetricStore } from './metrics/metric-store';

export class CollectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly store: MetricStore;
  private timer: NodeJS.Timeout | null = null;
  private lastRollup = new Date(Date.now() - 60_000);
  constructor(private readonly rt: Runtime) {
    this.store = new MetricStore(rt.db);
  }
  async onApplicationBootstrap(): Promise<void> {
    await this.rt.bus.subscribe('metrics.sampled.v1', { group: 'collector' }, async (e) => {
      await this.store.insert(e.eventId, e.payload);
    });
    for (const topic of ['task.queued.v1', 'task.started.v1', 'task.completed.v1', 'node.heartbeat.v1'] as const) {
      await this.rt.bus.subscribe(topic, { group: 'collector' }, (e) => this.store.logEvent(e));
    }
    this.timer = setInterval(() => {
      const since = this.lastRollup;
      this.lastRollup = new Date();
      this.store.rollUp(since).catch((err) => this.rt.logger.error({ err }, 'metric roll-up failed'));
    }, 15_000);
  }
  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

@ApiTags('metrics')
@Controller('api/metrics')
export class MetricsController {
  constructor(@Inject(CollectorLifecycle) private readonly c: CollectorLifecycle) {}
  @Get('tasks/:id')
  task(@Param('id') id: string) {
    return this.c.store.taskSamples(id);
  }
  @Get('nodes/:id/rollups')
  node(@Param('id') id: string) {
    return this.c.store.nodeRollups(id, 60);
  }
}

@Module({})
export class CollectorModule {
  static forRuntime(rt: Runtime): DynamicModule {
    return {
      module: CollectorModule,
      controllers: [MetricsController],
      providers: [{ provide: RUNTIME, useValue: rt }, { provide: CollectorLifecycle, useFactory: () => new CollectorLifecycle(rt) }],
    };
  }
}

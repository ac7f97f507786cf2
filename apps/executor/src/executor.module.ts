import { Controller, Get, Inject, Module, type DynamicModule, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from '@kairos/persistence';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import type { RunSpec } from '@kairos/contracts';
import { ExecutorService } from './executor.service';
import { HttpRunner } from './runners/http.runner';
import { NoopRunner } from './runners/noop.runner';
import type { TaskRunner } from './runners/runner.port';
import { ShellRunner } from './runners/shell.runner';
import { RepairApplier } from './repairs/repair-applier';
import { WorkflowsLifecycle } from './workflows/workflows.lifecycle';

export const EXECUTOR_RUNTIME = Symbol('EXECUTOR_RUNTIME');

/** Wires the executor to its runtime: outbox relay, event subscriptions, lifecycle. */
export class ExecutorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;
  readonly service: ExecutorService;

  constructor(private readonly rt: Runtime) {
    this.relay = new OutboxRelay(rt.db, rt.bus, 'executor', (err) => rt.logger.error({ err }, 'outbox relay failed'), 200);
    const runners = new Map<RunSpec['kind'], TaskRunner>([
      ['shell', new ShellRunner() as TaskRunner],
      ['http', new HttpRunner() as TaskRunner],
      ['noop', new NoopRunner() as TaskRunner],
    ]);
    this.service = new ExecutorService(rt, runners, () => this.relay.kick());
  }

  async onApplicationBootstrap(): Promise<void> {
    const { bus } = this.rt;
    await bus.subscribe('task.queued.v1', { group: 'executor' }, async () => this.service.kick());
    await bus.subscribe('prediction.duration.estimated.v1', { group: 'executor-predictions' }, async (e) => {
      await this.service.repo.recordPrediction(e.payload.taskId, e.payload.p50Ms, e.payload.p90Ms);
    });
    const repairs = new RepairApplier(this.rt.db, this.rt.instanceId, this.service.defaultPolicy);
    await bus.subscribe('repair.requested.v1', { group: 'executor-repairs' }, async (e) => {
      const outcome = await repairs.apply(e.payload);
      if (outcome) this.rt.logger.warn({ action: e.payload.action, ...outcome, reason: e.payload.reason }, 'repair action');
      this.service.invalidateNodeState();
    });
    this.relay.start();
    await this.service.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.service.stop();
    await this.relay.stop();
  }
}

@Controller('api/executor')
export class ExecutorStatusController {
  constructor(@Inject(ExecutorLifecycle) private readonly lifecycle: ExecutorLifecycle) {}

  @Get('status')
  status() {
    const s = this.lifecycle.service;
    return { defaultPolicy: s.defaultPolicy, decisionLatency: s.decisionLatency.summary(), running: s.runningCount(), nodes: s.nodes.map(({ id, cpuMillis, memMb, usedCpu, usedMem, running, cordoned }) => ({ id, cpuMillis, memMb, usedCpu, usedMem, running, cordoned })) };
  }
}

@Module({})
export class ExecutorModule {
  static forRuntime(rt: Runtime): DynamicModule {
    return {
      module: ExecutorModule,
      controllers: [ExecutorStatusController],
      providers: [{ provide: RUNTIME, useValue: rt }, { provide: ExecutorLifecycle, useFactory: () => new ExecutorLifecycle(rt) },
        { provide: WorkflowsLifecycle, useFactory: (ex: ExecutorLifecycle) => new WorkflowsLifecycle(rt, ex), inject: [ExecutorLifecycle] },
      ],
      exports: [ExecutorLifecycle],
    };
  }
}

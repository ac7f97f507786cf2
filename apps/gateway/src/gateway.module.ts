import { Controller, Get, Inject, Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { TasksController } from './tasks/tasks.controller';
import { TaskSubmissionService } from './tasks/task-submission.service';
import { GatewayLifecycle } from './gateway.lifecycle';
import { DashboardController } from './dashboard/dashboard.controller';
import { QueuesController } from './queues/queues.controller';
import { RepairsController } from './repairs/repairs.controller';
import { WorkflowsController } from './workflows/workflows.controller';
import { WorkflowService } from './workflows/workflow.service';

@Controller('api')
export class StatsController {
  constructor(
    @Inject(GatewayLifecycle) private readonly gw: GatewayLifecycle,
    @Inject(RUNTIME) private readonly rt: Runtime,
  ) {}

  @Get('dead-letters')
  deadLetters() {
    return this.rt.db.query(`SELECT event_id AS "eventId", topic, consumer, reason, original, failed_at AS "failedAt" FROM dead_letters ORDER BY failed_at DESC LIMIT 200`);
  }

  @Get('stats')
  async stats() {
    const nodes = await this.rt.db.query(`SELECT id, executor_id AS "executorId", cpu_millis AS "cpuMillis", mem_mb AS "memMb", status, running, last_heartbeat_at AS "lastHeartbeatAt" FROM nodes ORDER BY id`);
    const throughput = await this.rt.db.query<{ minute: Date; status: string; n: string }>(
      `SELECT date_trunc('minute', finished_at) AS minute, status, count(*)::text AS n FROM tasks
       WHERE finished_at > now() - interval '30 minutes' GROUP BY 1, 2 ORDER BY 1`,
    );
    return {
      tasks: await this.gw.submissions.counts(),
      nodes,
      throughput: throughput.map((r) => ({ minute: new Date(r.minute).toISOString(), status: r.status, count: Number(r.n) })),
    };
  }
}

@Module({})
export class GatewayModule {
  static forRuntime(rt: Runtime): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [TasksController, StatsController, DashboardController, QueuesController, RepairsController, WorkflowsController],
      providers: [
        { provide: RUNTIME, useValue: rt },
        { provide: GatewayLifecycle, useFactory: () => new GatewayLifecycle(rt) },
        { provide: TaskSubmissionService, useFactory: (gw: GatewayLifecycle) => gw.submissions, inject: [GatewayLifecycle] },
        { provide: WorkflowService, useFactory: (gw: GatewayLifecycle) => new WorkflowService(rt.db, () => gw.relay.kick()), inject: [GatewayLifecycle] },
      ],
    };
  }
}

import { Module } from '@nestjs/common';
import { APP_IDENTITY, type AppIdentity } from '@kairos/runtime';
import { GroupWatchdog } from '../runners/group-watchdog';
import { ProcessGroupReaper } from '../runners/process-group.reaper';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { RunnersModule } from '../runners/runners.module';
import { TasksModule } from '../tasks/tasks.module';
import { ExecutionConsumer } from './execution.consumer';
import { ExecutorStatusController } from './executor-status.controller';
import { ExecutorMetricsService } from './executor-metrics.service';
import { ExecutorService } from './executor.service';
import { WakeupListener } from './wakeup-listener';
import { ATTEMPT_PROCESS_REPOSITORY, PgAttemptProcessRepository, type AttemptProcessRepository } from './attempt-process.repository';
import { DECISION_REPOSITORY, PgDecisionRepository } from './decision.repository';
import { NODE_REPOSITORY, PgNodeRepository } from './node.repository';
import { currentHostIdentity, ORPHAN_GUARD, OrphanGuard } from './orphan-guard';
import { PgQueueOwnerRepository, QUEUE_OWNER_REPOSITORY } from './queue-owner.repository';
import { PgQueuePolicyRepository, QUEUE_POLICY_REPOSITORY } from './queue-policy.repository';
import { PgTenantUsageRepository, TENANT_USAGE_REPOSITORY } from './tenant-usage.repository';
import { PidusageSampler, RESOURCE_SAMPLER } from './resource-sampler';
import { HOST_SAMPLER, SystemInformationHostSampler } from '../nodes/host-sampler';
import { NODE_AGENT, NodeAgentService } from '../nodes/node-agent.service';

/** The scheduling loop: claims, runs, leases, heartbeats, resource samples; the node agent (host metrics). */
@Module({
  imports: [ExecutorCoreModule, TasksModule, RunnersModule],
  controllers: [ExecutorStatusController, ExecutionConsumer],
  providers: [
    ExecutorService,
    WakeupListener,
    ExecutorMetricsService,
    { provide: NODE_REPOSITORY, useClass: PgNodeRepository },
    { provide: DECISION_REPOSITORY, useClass: PgDecisionRepository },
    { provide: QUEUE_POLICY_REPOSITORY, useClass: PgQueuePolicyRepository },
    { provide: TENANT_USAGE_REPOSITORY, useClass: PgTenantUsageRepository },
    { provide: QUEUE_OWNER_REPOSITORY, useClass: PgQueueOwnerRepository },
    { provide: RESOURCE_SAMPLER, useClass: PidusageSampler },
    { provide: ATTEMPT_PROCESS_REPOSITORY, useClass: PgAttemptProcessRepository },
    {
      provide: ORPHAN_GUARD,
      useFactory: (repo: AttemptProcessRepository, id: AppIdentity) => new OrphanGuard(repo, new ProcessGroupReaper(), currentHostIdentity(), new GroupWatchdog(), id.logger),
      inject: [ATTEMPT_PROCESS_REPOSITORY, APP_IDENTITY],
    },
    NodeAgentService,
    { provide: NODE_AGENT, useExisting: NodeAgentService },
    { provide: HOST_SAMPLER, useClass: SystemInformationHostSampler },
  ],
  exports: [ExecutorService, QUEUE_POLICY_REPOSITORY],
})
export class ExecutionModule {}

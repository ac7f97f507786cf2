import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { RunnersModule } from '../runners/runners.module';
import { TasksModule } from '../tasks/tasks.module';
import { ExecutionConsumer } from './execution.consumer';
import { ExecutorStatusController } from './executor-status.controller';
import { ExecutorService } from './executor.service';
import { NODE_REPOSITORY, PgNodeRepository } from './node.repository';
import { PgQueuePolicyRepository, QUEUE_POLICY_REPOSITORY } from './queue-policy.repository';
import { PidusageSampler, RESOURCE_SAMPLER } from './resource-sampler';
import { HOST_SAMPLER, SystemInformationHostSampler } from '../nodes/host-sampler';
import { NODE_AGENT, NodeAgentService } from '../nodes/node-agent.service';

/** The scheduling loop: claims, runs, leases, heartbeats, resource samples; the node agent (host metrics). */
@Module({
  imports: [ExecutorCoreModule, TasksModule, RunnersModule],
  controllers: [ExecutorStatusController, ExecutionConsumer],
  providers: [
    ExecutorService,
    { provide: NODE_REPOSITORY, useClass: PgNodeRepository },
    { provide: QUEUE_POLICY_REPOSITORY, useClass: PgQueuePolicyRepository },
    { provide: RESOURCE_SAMPLER, useClass: PidusageSampler },
    NodeAgentService,
    { provide: NODE_AGENT, useExisting: NodeAgentService },
    { provide: HOST_SAMPLER, useClass: SystemInformationHostSampler },
  ],
  exports: [ExecutorService, QUEUE_POLICY_REPOSITORY],
})
export class ExecutionModule {}

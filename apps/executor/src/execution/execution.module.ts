import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { RunnersModule } from '../runners/runners.module';
import { TasksModule } from '../tasks/tasks.module';
import { ExecutionConsumer } from './execution.consumer';
import { ExecutorStatusController } from './executor-status.controller';
import { ExecutorService } from './executor.service';
import { NODE_REPOSITORY, PgNodeRepository } from './node.repository';
import { PgQueueOwnerRepository, QUEUE_OWNER_REPOSITORY } from './queue-owner.repository';
import { PgQueuePolicyRepository, QUEUE_POLICY_REPOSITORY } from './queue-policy.repository';
import { PidusageSampler, RESOURCE_SAMPLER } from './resource-sampler';

/** The scheduling loop: claims, runs, leases, heartbeats, resource samples. */
@Module({
  imports: [ExecutorCoreModule, TasksModule, RunnersModule],
  controllers: [ExecutorStatusController, ExecutionConsumer],
  providers: [
    ExecutorService,
    { provide: NODE_REPOSITORY, useClass: PgNodeRepository },
    { provide: QUEUE_POLICY_REPOSITORY, useClass: PgQueuePolicyRepository },
    { provide: QUEUE_OWNER_REPOSITORY, useClass: PgQueueOwnerRepository },
    { provide: RESOURCE_SAMPLER, useClass: PidusageSampler },
  ],
  exports: [ExecutorService, QUEUE_POLICY_REPOSITORY],
})
export class ExecutionModule {}

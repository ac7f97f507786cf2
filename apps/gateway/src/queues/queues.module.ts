import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { PgQueuePolicyRepository, QUEUE_POLICY_REPOSITORY } from './queue-policy.repository';
import { QueuePolicyService } from './queue-policy.service';
import { QueuesController } from './queues.controller';

@Module({
  imports: [GatewayCoreModule],
  controllers: [QueuesController],
  providers: [QueuePolicyService, { provide: QUEUE_POLICY_REPOSITORY, useClass: PgQueuePolicyRepository }],
  exports: [QueuePolicyService],
})
export class QueuesModule {}

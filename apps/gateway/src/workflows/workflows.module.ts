import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { TenantsModule } from '../tenants/tenants.module';
import { PgWorkflowRepository, WORKFLOW_REPOSITORY } from './workflow.repository';
import { WorkflowService } from './workflow.service';
import { WorkflowsController } from './workflows.controller';

@Module({
  imports: [GatewayCoreModule, TenantsModule],
  controllers: [WorkflowsController],
  providers: [WorkflowService, { provide: WORKFLOW_REPOSITORY, useClass: PgWorkflowRepository }],
  exports: [WorkflowService],
})
export class WorkflowsModule {}

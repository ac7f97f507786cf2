import { Module } from '@nestjs/common';
import { GatewayCoreModule } from '../core/gateway-core.module';
import { PgRepairRequestRepository, REPAIR_REQUEST_REPOSITORY } from './repair-request.repository';
import { RepairRequestService } from './repair-request.service';
import { RepairsController } from './repairs.controller';

@Module({
  imports: [GatewayCoreModule],
  controllers: [RepairsController],
  providers: [RepairRequestService, { provide: REPAIR_REQUEST_REPOSITORY, useClass: PgRepairRequestRepository }],
  exports: [RepairRequestService],
})
export class RepairsModule {}

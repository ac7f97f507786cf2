import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { ExecutionModule } from '../execution/execution.module';
import { PgRepairRepository, REPAIR_REPOSITORY } from './repair.repository';
import { RepairService } from './repair.service';
import { RepairsConsumer } from './repairs.consumer';

@Module({
  imports: [ExecutorCoreModule, ExecutionModule],
  controllers: [RepairsConsumer],
  providers: [RepairService, { provide: REPAIR_REPOSITORY, useClass: PgRepairRepository }],
})
export class RepairsModule {}

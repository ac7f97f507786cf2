import { Module } from '@nestjs/common';
import { ExecutorCoreModule } from '../core/executor-core.module';
import { PgRetentionRepository, RETENTION_REPOSITORY } from './retention.repository';
import { RetentionService } from './retention.service';

/** Retention of finished tasks, attempts, events, outputs and workflow runs (RETENTION_*; docs/resources.md). */
@Module({
  imports: [ExecutorCoreModule],
  providers: [RetentionService, { provide: RETENTION_REPOSITORY, useClass: PgRetentionRepository }],
  exports: [RetentionService],
})
export class RetentionModule {}

import { Module } from '@nestjs/common';
import { AnalyzerCoreModule } from '../core/analyzer-core.module';
import { DiagnosisModule } from '../diagnosis/diagnosis.module';
import { ModelsModule } from '../models/models.module';
import { AnalyzerHealthFacts } from './analyzer-health.facts';
import { AnalyzerJobs } from './analyzer-jobs.service';
import { PgTickRepository, TICK_REPOSITORY } from './tick.repository';

@Module({
  imports: [AnalyzerCoreModule, ModelsModule, DiagnosisModule],
  providers: [AnalyzerJobs, AnalyzerHealthFacts, { provide: TICK_REPOSITORY, useClass: PgTickRepository }],
  exports: [AnalyzerJobs],
})
export class JobsModule {}

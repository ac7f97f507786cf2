import { Module } from '@nestjs/common';
import { DiagnosisModule } from './diagnosis/diagnosis.module';
import { JobsModule } from './jobs/jobs.module';
import { ModelsModule } from './models/models.module';

export { ANALYZER_MIGRATIONS } from './database/migrations';

/** The analyzer: duration model (registry, serving, drift), diagnosis and repair decisions, periodic jobs. */
@Module({ imports: [ModelsModule, DiagnosisModule, JobsModule] })
export class AnalyzerModule {}

import { Module } from '@nestjs/common';
import { AnalyzerCoreModule } from '../core/analyzer-core.module';
import { DiagnosisController } from './diagnosis.controller';
import { DIAGNOSIS_REPOSITORY, PgDiagnosisRepository } from './diagnosis.repository';
import { DiagnosisService } from './diagnosis.service';

/** Diagnosis rules as data, streaming anomaly scores of node metrics, repair decisions with their audit. */
@Module({
  imports: [AnalyzerCoreModule],
  controllers: [DiagnosisController],
  providers: [DiagnosisService, { provide: DIAGNOSIS_REPOSITORY, useClass: PgDiagnosisRepository }],
  exports: [DiagnosisService],
})
export class DiagnosisModule {}

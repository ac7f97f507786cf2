import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME, type Runtime } from '@kairos/runtime';
import { AnalyzerLifecycle } from './analyzer.lifecycle';
import { DiagnosisController } from './http/diagnosis.controller';
import { ModelsController } from './http/models.controller';
import { PredictionsController } from './http/predictions.controller';

export { AnalyzerLifecycle } from './analyzer.lifecycle';

@Module({})
export class AnalyzerModule {
  /** `lifecycle` lets main.ts share the instance with /health; by default the module makes its own. */
  static forRuntime(rt: Runtime, lifecycle: AnalyzerLifecycle = new AnalyzerLifecycle(rt)): DynamicModule {
    return {
      module: AnalyzerModule,
      controllers: [ModelsController, PredictionsController, DiagnosisController],
      providers: [{ provide: RUNTIME, useValue: rt }, { provide: AnalyzerLifecycle, useValue: lifecycle }],
    };
  }
}

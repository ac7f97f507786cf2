import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { BackendChoice } from '@kairos/ml';
import { HealthRegistry } from '@kairos/runtime';
import { TF_BACKEND } from '../core/analyzer-options';
import { DurationModelService } from '../models/duration-model.service';

/** /health facts: the tfjs backend chosen (and those tried), the serving model, the training mode. */
@Injectable()
export class AnalyzerHealthFacts implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly durations: DurationModelService,
    @Inject(TF_BACKEND) private readonly tf: { choice: Promise<BackendChoice | null> },
  ) {}

  onModuleInit(): void {
    this.registry.addFacts(() => this.facts());
  }

  async facts(): Promise<Record<string, unknown>> {
    const choice = await this.tf.choice;
    const serving = this.durations.cache.current();
    return {
      tfjsBackend: choice?.name ?? 'none',
      tfjsBackendTried: choice?.tried ?? [],
      durationModel: serving ? { name: serving.version.name, version: serving.version.version } : null,
      training: this.durations.trainingMode,
    };
  }
}

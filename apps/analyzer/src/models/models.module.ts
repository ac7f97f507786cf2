import { Module } from '@nestjs/common';
import { AnalyzerCoreModule } from '../core/analyzer-core.module';
import { TaskHistoryRepository } from '../training/task-history.repository';
import { DurationEventsConsumer } from './duration-events.consumer';
import { DurationModelService } from './duration-model.service';
import { DURATION_REPOSITORY, PgDurationRepository } from './duration.repository';
import { MODEL_STORE, PgModelStore } from './model-store.repository';
import { ModelsController } from './models.controller';
import { PredictionsController } from './predictions.controller';

/** Duration model: registry, training, serving with hot swap, estimates, accuracy, drift. */
@Module({
  imports: [AnalyzerCoreModule],
  controllers: [ModelsController, PredictionsController, DurationEventsConsumer],
  providers: [DurationModelService, TaskHistoryRepository, { provide: MODEL_STORE, useClass: PgModelStore }, { provide: DURATION_REPOSITORY, useClass: PgDurationRepository }],
  exports: [DurationModelService],
})
export class ModelsModule {}

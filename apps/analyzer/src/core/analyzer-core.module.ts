import { Module } from '@nestjs/common';
import { initTfBackend, type BackendChoice } from '@kairos/ml';
import { APP_IDENTITY, appIdentityProvider, OUTBOX_PRODUCER, OutboxRelayService, type AppIdentity } from '@kairos/runtime';
import { ANALYZER_OPTIONS, TF_BACKEND, type AnalyzerOptions } from './analyzer-options';

/** The analyzer's identity, outbox relay (producer `analyzer`) and tfjs backend, shared by its feature modules. */
@Module({
  providers: [
    appIdentityProvider('analyzer'),
    { provide: OUTBOX_PRODUCER, useValue: 'analyzer' },
    OutboxRelayService,
    {
      provide: TF_BACKEND,
      // A promise, so start-up does not wait for TensorFlow.js (consumers that need it await it).
      useFactory: (id: AppIdentity, options: AnalyzerOptions | undefined): { choice: Promise<BackendChoice | null> } => ({
        choice: (options?.tfBackend ?? (() => initTfBackend()))().catch((err: unknown) => {
          id.logger.error({ err }, 'no TensorFlow.js backend');
          return null;
        }),
      }),
      inject: [APP_IDENTITY, { token: ANALYZER_OPTIONS, optional: true }],
    },
  ],
  exports: [APP_IDENTITY, OutboxRelayService, TF_BACKEND],
})
export class AnalyzerCoreModule {}

import { Module } from '@nestjs/common';
import { APP_IDENTITY, appIdentityProvider, CONFIG, OUTBOX_PRODUCER, OutboxRelayService } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, executorSettings } from './executor-settings';

/** The executor's identity, settings and outbox relay (producer `executor`), shared by its feature modules. */
@Module({
  providers: [
    appIdentityProvider('executor'),
    { provide: EXECUTOR_SETTINGS, useFactory: executorSettings, inject: [APP_IDENTITY, CONFIG] },
    { provide: OUTBOX_PRODUCER, useValue: 'executor' },
    OutboxRelayService,
  ],
  exports: [APP_IDENTITY, EXECUTOR_SETTINGS, OutboxRelayService],
})
export class ExecutorCoreModule {}

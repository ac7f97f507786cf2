import { Module } from '@nestjs/common';
import { APP_IDENTITY, appIdentityProvider, OUTBOX_PRODUCER, OutboxRelayService, TASK_SECRETS, taskSecretsProvider } from '@kairos/runtime';

/** The gateway's identity, its outbox relay (producer `gateway`) and task-secret sealing, shared by its feature modules. */
@Module({
  providers: [appIdentityProvider('gateway'), { provide: OUTBOX_PRODUCER, useValue: 'gateway' }, OutboxRelayService, taskSecretsProvider],
  exports: [APP_IDENTITY, OutboxRelayService, TASK_SECRETS],
})
export class GatewayCoreModule {}

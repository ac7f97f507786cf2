import { Module } from '@nestjs/common';
import { APP_IDENTITY, appIdentityProvider, OUTBOX_PRODUCER, OutboxRelayService } from '@kairos/runtime';

/** The gateway's identity and its outbox relay (producer `gateway`), shared by its feature modules. */
@Module({
  providers: [appIdentityProvider('gateway'), { provide: OUTBOX_PRODUCER, useValue: 'gateway' }, OutboxRelayService],
  exports: [APP_IDENTITY, OutboxRelayService],
})
export class GatewayCoreModule {}

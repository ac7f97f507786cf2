import { Module } from '@nestjs/common';
import { APP_IDENTITY, appIdentityProvider } from '@kairos/runtime';

/** The collector's identity in this process (its own, or derived in standalone mode). */
@Module({ providers: [appIdentityProvider('collector')], exports: [APP_IDENTITY] })
export class CollectorCoreModule {}

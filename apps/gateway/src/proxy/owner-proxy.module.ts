import { Module } from '@nestjs/common';
import { OwnerProxyController } from './owner-proxy.controller';
import { OWNER_FETCH, OwnerProxyService, type OwnerFetch } from './owner-proxy.service';

/** The gateway as the one entry point of distributed mode; gateway main.ts adds it, standalone does not. */
@Module({
  controllers: [OwnerProxyController],
  providers: [OwnerProxyService, { provide: OWNER_FETCH, useValue: ((url, init) => fetch(url, init)) satisfies OwnerFetch }],
})
export class OwnerProxyModule {}

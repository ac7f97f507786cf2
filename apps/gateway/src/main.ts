import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { gatewayStatusOf } from './errors/gateway.errors';
import { GatewayModule, GATEWAY_MIGRATIONS } from './gateway.module';
import { ownerProxyStatusOf } from './proxy/owner-proxy.errors';
import { OwnerProxyModule } from './proxy/owner-proxy.module';

// As its own process the gateway is the one entry point: what the other services own is forwarded to
// them (OwnerProxyModule). Standalone composes GatewayModule alone, next to the owners themselves.
runKairosService({
  service: 'gateway',
  title: 'Kairos gateway',
  modules: [GatewayModule, OwnerProxyModule],
  migrations: withBaseline(GATEWAY_MIGRATIONS),
  statusOf: (e) => gatewayStatusOf(e) ?? ownerProxyStatusOf(e),
});

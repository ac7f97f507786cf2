import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { gatewayStatusOf } from './errors/gateway.errors';
import { GatewayModule, GATEWAY_MIGRATIONS } from './gateway.module';

runKairosService({ service: 'gateway', title: 'Kairos gateway', modules: [GatewayModule], migrations: withBaseline(GATEWAY_MIGRATIONS), statusOf: gatewayStatusOf });

import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, startHttpService } from '@kairos/runtime';
import { GatewayModule } from './gateway.module';
import { gatewayStatusOf } from './errors/gateway.errors';

async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('gateway', config);
  await startHttpService([GatewayModule.forRuntime(rt)], rt, { title: 'Kairos gateway', port: config.PORT, host: config.HOST, statusOf: gatewayStatusOf });
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

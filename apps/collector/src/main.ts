import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, startHttpService } from '@kairos/runtime';
import { CollectorModule } from './collector.module';

/** Distributed mode: the collector as its own process (health and its own API on PORT). */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('collector', config);
  await startHttpService([CollectorModule.forRuntime(rt)], rt, { title: 'Kairos collector', port: config.PORT, host: config.HOST, statusOf: () => undefined });
}

main().catch((err: unknown) => {
  process.stderr.write(`collector failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

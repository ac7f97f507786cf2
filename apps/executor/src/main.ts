import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, startHttpService } from '@kairos/runtime';
import { ExecutorModule } from './executor.module';

/** Distributed mode: the executor as its own process (health and its own API on PORT). */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('executor', config);
  await startHttpService([ExecutorModule.forRuntime(rt)], rt, { title: 'Kairos executor', port: config.PORT, host: config.HOST, statusOf: () => undefined });
}

main().catch((err: unknown) => {
  process.stderr.write(`executor failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, startHttpService } from '@kairos/runtime';
import { AnalyzerModule } from './analyzer.module';

/** Distributed mode: the analyzer as its own process (health and its own API on PORT). */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('analyzer', config);
  await startHttpService([AnalyzerModule.forRuntime(rt)], rt, { title: 'Kairos analyzer', port: config.PORT, host: config.HOST, statusOf: () => undefined });
}

main().catch((err: unknown) => {
  process.stderr.write(`analyzer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, startHttpService } from '@kairos/runtime';
import { AnalyzerLifecycle, AnalyzerModule } from './analyzer.module';
import { analyzerStatusOf } from './errors/analyzer.errors';

/** Distributed mode: the analyzer as its own process (health and its own API on PORT). */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('analyzer', config);
  const analyzer = new AnalyzerLifecycle(rt);
  await startHttpService([AnalyzerModule.forRuntime(rt, analyzer)], rt, {
    title: 'Kairos analyzer',
    port: config.PORT,
    host: config.HOST,
    statusOf: analyzerStatusOf,
    healthExtras: [() => analyzer.health()],
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`analyzer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

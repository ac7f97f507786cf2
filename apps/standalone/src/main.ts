/* eslint-disable @nx/enforce-module-boundaries -- the one composition root: STYLE.md lets standalone wire the four apps into one process; no other app imports another. */
import 'reflect-metadata';
import { loadConfig } from '@kairos/platform';
import { createRuntime, deriveRuntime, startHttpService } from '@kairos/runtime';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { gatewayStatusOf } from '../../gateway/src/errors/gateway.errors';
import { CollectorModule } from '../../collector/src/collector.module';
import { AnalyzerLifecycle, AnalyzerModule } from '../../analyzer/src/analyzer.module';
import { analyzerStatusOf } from '../../analyzer/src/errors/analyzer.errors';
import { ExecutorModule } from '../../executor/src/executor.module';

/**
 * Standalone mode: all four services in one process, sharing one in-process event bus and one
 * database (embedded PGlite under DATA_DIR unless DATABASE_URL is set). The only place where apps
 * are composed; apps never import each other.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('standalone', config);
  const analyzerRt = deriveRuntime(rt, 'analyzer');
  const analyzer = new AnalyzerLifecycle(analyzerRt);
  await startHttpService(
    [
      GatewayModule.forRuntime(deriveRuntime(rt, 'gateway')),
      CollectorModule.forRuntime(deriveRuntime(rt, 'collector')),
      AnalyzerModule.forRuntime(analyzerRt, analyzer),
      ExecutorModule.forRuntime(deriveRuntime(rt, 'executor')),
    ],
    rt,
    { title: 'Kairos', port: config.PORT, host: config.HOST, statusOf: (e) => gatewayStatusOf(e) ?? analyzerStatusOf(e), healthExtras: [() => analyzer.health()] },
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`kairos failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/* eslint-disable @nx/enforce-module-boundaries -- the one composition root: STYLE.md lets standalone wire the four apps into one process; no other app imports another. */
import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { AnalyzerModule, ANALYZER_MIGRATIONS } from '../../analyzer/src/analyzer.module';
import { analyzerStatusOf } from '../../analyzer/src/errors/analyzer.errors';
import { CollectorModule, COLLECTOR_MIGRATIONS } from '../../collector/src/collector.module';
import { ExecutorModule, EXECUTOR_MIGRATIONS } from '../../executor/src/executor.module';
import { gatewayStatusOf } from '../../gateway/src/errors/gateway.errors';
import { GatewayModule, GATEWAY_MIGRATIONS } from '../../gateway/src/gateway.module';

/**
 * Standalone mode: all four services in one process, sharing one in-process event bus and one
 * database (embedded PGlite under DATA_DIR unless DATABASE_URL is set), with every app's migrations
 * run in timestamp order. Each app keeps its own consumer groups, so each still gets every message.
 * The only place where apps are composed; apps never import each other.
 */
runKairosService({
  service: 'standalone',
  title: 'Kairos',
  modules: [GatewayModule, CollectorModule, AnalyzerModule, ExecutorModule],
  migrations: withBaseline(GATEWAY_MIGRATIONS, COLLECTOR_MIGRATIONS, ANALYZER_MIGRATIONS, EXECUTOR_MIGRATIONS),
  statusOf: (e) => gatewayStatusOf(e) ?? analyzerStatusOf(e),
});

/* eslint-disable @nx/enforce-module-boundaries -- the one composition root: STYLE.md lets standalone wire the four apps into one process; no other app imports another. */
import 'reflect-metadata';
import { runKairosService } from '@kairos/runtime';
import { AnalyzerModule } from '../../analyzer/src/analyzer.module';
import { analyzerStatusOf } from '../../analyzer/src/errors/analyzer.errors';
import { CollectorModule } from '../../collector/src/collector.module';
import { ExecutorModule } from '../../executor/src/executor.module';
import { gatewayStatusOf } from '../../gateway/src/errors/gateway.errors';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { STANDALONE_MIGRATIONS } from './standalone.migrations';

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
  migrations: STANDALONE_MIGRATIONS,
  statusOf: (e) => gatewayStatusOf(e) ?? analyzerStatusOf(e),
});

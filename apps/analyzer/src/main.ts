import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { AnalyzerModule, ANALYZER_MIGRATIONS } from './analyzer.module';
import { analyzerStatusOf } from './errors/analyzer.errors';

/** Distributed mode: the analyzer as its own process (health and its own API on PORT). */
runKairosService({ service: 'analyzer', title: 'Kairos analyzer', modules: [AnalyzerModule], migrations: withBaseline(ANALYZER_MIGRATIONS), statusOf: analyzerStatusOf });

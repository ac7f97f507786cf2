import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { CollectorModule, COLLECTOR_MIGRATIONS } from './collector.module';

/** Distributed mode: the collector as its own process (health and its own API on PORT). */
runKairosService({ service: 'collector', title: 'Kairos collector', modules: [CollectorModule], migrations: withBaseline(COLLECTOR_MIGRATIONS), statusOf: () => undefined });

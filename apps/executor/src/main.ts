import 'reflect-metadata';
import { withBaseline } from '@kairos/persistence';
import { runKairosService } from '@kairos/runtime';
import { ExecutorModule, EXECUTOR_MIGRATIONS } from './executor.module';

/** Distributed mode: the executor as its own process (health and its own API on PORT). */
runKairosService({ service: 'executor', title: 'Kairos executor', modules: [ExecutorModule], migrations: withBaseline(EXECUTOR_MIGRATIONS), statusOf: () => undefined });

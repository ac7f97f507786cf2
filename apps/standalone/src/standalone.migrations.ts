/* eslint-disable @nx/enforce-module-boundaries -- the one composition root: STYLE.md lets standalone wire the four apps into one process; no other app imports another. */
import { withBaseline } from '@kairos/persistence';
import { ANALYZER_MIGRATIONS } from '../../analyzer/src/analyzer.module';
import { COLLECTOR_MIGRATIONS } from '../../collector/src/collector.module';
import { EXECUTOR_MIGRATIONS } from '../../executor/src/executor.module';
import { GATEWAY_MIGRATIONS } from '../../gateway/src/gateway.module';

/** Every app's migrations after the frozen baseline, in timestamp order: what standalone runs. */
export const STANDALONE_MIGRATIONS = withBaseline(GATEWAY_MIGRATIONS, COLLECTOR_MIGRATIONS, ANALYZER_MIGRATIONS, EXECUTOR_MIGRATIONS);

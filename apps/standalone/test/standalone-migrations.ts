import { MIGRATIONS } from '@kairos/persistence';

/**
 * Every migration standalone runs (all four apps' tables): the one place the upgrade test takes its
 * list from. When migrations move into their owning apps, point this at standalone's own list
 * (e.g. withBaseline(GATEWAY_MIGRATIONS, COLLECTOR_MIGRATIONS, ANALYZER_MIGRATIONS, EXECUTOR_MIGRATIONS)).
 */
export const STANDALONE_MIGRATIONS = MIGRATIONS;

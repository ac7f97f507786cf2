/** Every migration standalone runs (all four apps' tables): the one place the upgrade test takes its list from. */
export { STANDALONE_MIGRATIONS } from '../src/standalone.migrations';

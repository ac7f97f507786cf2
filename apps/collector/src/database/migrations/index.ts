import { Timeseries1732350013000 } from './1732350013000-timeseries';
import { MetricSamplesNet1732350013100 } from './1732350013100-metric-samples-net';

/** The collector's own migrations (after the frozen baseline); never edit or rename a landed one. */
export const COLLECTOR_MIGRATIONS = [Timeseries1732350013000, MetricSamplesNet1732350013100];

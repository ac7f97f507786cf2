import type { Command } from 'commander';
import { register as registerNab } from './nab.bench';
import { register as registerDag } from './dag.bench';
import { register as registerDuration } from './duration.bench';
import { register as registerSchedule } from './schedule.bench';
import { register as registerThroughput } from './throughput.bench';
import { register as registerInference } from './inference.bench';
import { register as registerWorkflows } from './workflows.bench';
import { register as registerSchedulesCore } from './schedules-core.bench';
import { register as registerSchedules } from './schedules.bench';
import { register as registerFairShare } from './fair-share.bench';
import { register as registerPegasusDuration } from './pegasus-duration.bench';
import { register as registerExplainLatency } from './explain-latency.bench';
import { register as registerTrainScheduler } from './train-scheduler.bench';
import { register as registerIngest } from './ingest.bench';
import { register as registerReplay } from './replay.bench';

// Each benchmark file exports `register(bench: Command)`; add one import + one call per benchmark.
export function registerBenchCommands(bench: Command): void {
  registerNab(bench);
  registerDag(bench);
  registerDuration(bench);
  registerSchedule(bench);
  registerThroughput(bench);
  registerInference(bench);
  registerWorkflows(bench);
  registerSchedulesCore(bench);
  registerSchedules(bench);
  registerFairShare(bench);
  registerPegasusDuration(bench);
  registerExplainLatency(bench);
  registerTrainScheduler(bench);
  registerIngest(bench);
  registerReplay(bench);
  void bench;
}

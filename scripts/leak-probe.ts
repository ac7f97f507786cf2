/**
 * Leak probe for the executor's and analyzer's long-lived in-memory state (docs/reliability.md, "Soak").
 * Drives, in-process and without I/O, what each task passes through on a long-running service: the
 * executor's QueueScheduler (sync → planPass → started → ended, every policy; named tasks like the
 * soak's and unnamed ones) and the analyzer's LiveDurationFeatures (queued → finished). Prints the heap
 * after a full GC at 5,000 and at 20,000 tasks (the analyzer: 60,000 and 150,000, past its 20,000-duration
 * baseline window): a per-task leak shows as growth between the two.
 *
 *   node --expose-gc --require ./scripts/swc-register.js scripts/leak-probe.ts [policy ...]
 */
import { LiveDurationFeatures, toDurationSpec } from '@kairos/ml';
import { POLICY_NAMES } from '@kairos/scheduling-core';
import { planPass } from '../apps/executor/src/scheduling/plan-assignments';
import { QueueScheduler, type PlannerNode } from '../apps/executor/src/scheduling/queue-scheduler';
import type { RunnableTask } from '../apps/executor/src/tasks/task.repository';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heapMb = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 1_048_576;
};

const CHECKPOINTS = [5_000, 20_000];
const cap = { cpuMillis: 8000, memMb: 16384, gpu: 0, io: 0, net: 0 };
const nodes: PlannerNode[] = [{ id: 'n', cpuMillis: 8000, memMb: 16384, usedCpu: 0, usedMem: 0, running: 0, cordoned: false }];

/** Per pass: 32 tasks arrive, all are dispatched, and those started in the previous pass end (32 tasks/s at 1 s passes). */
function driveScheduler(policy: string, named: boolean): number[] {
  const s = new QueueScheduler('q', { policy, placement: 'least-loaded' }, cap);
  const out: number[] = [];
  let running: string[] = [];
  let now = 1_700_000_000_000;
  let id = 0;
  while (id < CHECKPOINTS[CHECKPOINTS.length - 1]) {
    now += 1000;
    for (const t of running) s.ended(t, now, true, 20);
    const ready: RunnableTask[] = [];
    for (let i = 0; i < 32; i++, id++) {
      ready.push({ id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, name: named ? 'soak' : null, queue: 'q', priority: 50, resources: { cpuMillis: 100, memMb: 64, gpu: 0 }, createdAt: new Date(now), predictedP50Ms: null, attempts: 0 });
    }
    s.sync(ready, now);
    const assigned = planPass([s], nodes, 64, now);
    for (const a of assigned) s.started(a.taskId, now);
    running = assigned.map((a) => a.taskId);
    if (id >= CHECKPOINTS[out.length]) out.push(heapMb());
  }
  return out;
}

/** The analyzer's baselines fill up to ANALYZER_HISTORY_ROWS (20,000) durations by design: measured past that (and past the 20-minute arrival window at 32 tasks/s), at 60k and 150k. */
const ANALYZER_CHECKPOINTS = [60_000, 150_000];
function driveAnalyzer(): number[] {
  const live = new LiveDurationFeatures(50_000, 20_000);
  const out: number[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 1; i <= ANALYZER_CHECKPOINTS[1]; i++) {
    const at = t0 + Math.floor((i * 1000) / 32);
    live.observeQueued(`t${i}`, toDurationSpec({ signature: 'q|noop|soak', cpuMillis: 100, memMb: 64, createdAtMs: at }));
    live.observeFinished(`t${i}`, at + 40, true);
    if (ANALYZER_CHECKPOINTS.includes(i)) out.push(heapMb());
  }
  return out;
}

const row = (label: string, mb: number[], at = CHECKPOINTS): void => {
  const perTask = ((mb[1] - mb[0]) * 1_048_576) / (at[1] - at[0]);
  process.stdout.write(`${label.padEnd(34)} heap ${mb[0].toFixed(2)} MB @${at[0] / 1000}k  ${mb[1].toFixed(2)} MB @${at[1] / 1000}k  ${perTask.toFixed(1).padStart(7)} B/task\n`);
};

const only = process.argv.slice(2);
heapMb();
row('analyzer LiveDurationFeatures', driveAnalyzer(), ANALYZER_CHECKPOINTS);
for (const p of POLICY_NAMES) {
  if (only.length && !only.includes(p)) continue;
  for (const named of [true, false]) row(`executor ${p} ${named ? 'named' : 'unnamed'}`, driveScheduler(p, named));
}

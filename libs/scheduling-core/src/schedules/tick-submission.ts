import {
  SCHEDULE_LABELS,
  SHARD_COUNT_ENV,
  SHARD_INDEX_ENV,
  type Schedule,
  type SubmitTask,
  type SubmitWorkflow,
  type WorkflowTask,
} from '@kairos/contracts';
import { shardTickKey } from './tick-key';
import type { PlannedTick } from './tick.model';

/** One shard of a fired tick: what to submit and its unique key (schedule, tick, shard). */
export type ShardSubmission =
  | { readonly kind: 'task'; readonly shardIndex: number; readonly shardCount: number; readonly key: string; readonly task: SubmitTask }
  | { readonly kind: 'workflow'; readonly shardIndex: number; readonly shardCount: number; readonly key: string; readonly workflow: SubmitWorkflow };

type Shardable = Pick<SubmitTask, 'run' | 'labels'>;

/**
 * The template's run and labels for one shard: shard index/count as env vars (shell runs; http and
 * noop runs have no environment) and as labels, plus the schedule and tick labels.
 */
function forShard<T extends Shardable>(task: T, labels: Record<string, string>, index: number, count: number): T {
  const run = task.run.kind === 'shell' ? { ...task.run, env: { ...task.run.env, [SHARD_INDEX_ENV]: String(index), [SHARD_COUNT_ENV]: String(count) } } : task.run;
  return { ...task, run, labels: { ...task.labels, ...labels } };
}

/** The N submissions (one per shard) a fired tick makes; pure, the same on every replica. */
export function buildTickSubmissions(schedule: Schedule, tick: Pick<PlannedTick, 'scheduledAtMs'>): ShardSubmission[] {
  const count = schedule.shards;
  const tickAt = new Date(tick.scheduledAtMs).toISOString();
  const out: ShardSubmission[] = [];
  for (let i = 0; i < count; i++) {
    const labels = {
      [SCHEDULE_LABELS.scheduleId]: schedule.id,
      [SCHEDULE_LABELS.tickAt]: tickAt,
      [SCHEDULE_LABELS.shardIndex]: String(i),
      [SCHEDULE_LABELS.shardCount]: String(count),
    };
    const key = shardTickKey(schedule.id, tick.scheduledAtMs, i);
    const t = schedule.template;
    if (t.kind === 'task') {
      const task: SubmitTask = { ...forShard(t.task, labels, i, count), name: t.task.name ?? schedule.name, idempotencyKey: key };
      out.push({ kind: 'task', shardIndex: i, shardCount: count, key, task });
    } else {
      const tasks: WorkflowTask[] = t.workflow.tasks.map((w) => forShard(w, labels, i, count));
      out.push({ kind: 'workflow', shardIndex: i, shardCount: count, key, workflow: { ...t.workflow, tasks } });
    }
  }
  return out;
}

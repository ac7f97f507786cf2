import type { KairosConfig } from '@kairos/platform';
import type { AppIdentity } from '@kairos/runtime';
import type { RetentionSettings } from '../retention/retention-plan';

export const EXECUTOR_SETTINGS = Symbol('EXECUTOR_SETTINGS');

/** The executor's settings, read once from the validated config and its identity. */
export interface ExecutorSettings {
  /** Lease owner of the attempts it runs; EXECUTOR_ID, else stable per host and slot (libs/runtime identity). */
  executorId: string;
  leaseMs: number;
  heartbeatMs: number;
  metricsSampleMs: number;
  slotsPerNode: number;
  outputTailBytes: number;
  /** Default ordering policy (SCHEDULER_POLICY) for queues without one. */
  schedulerPolicy: string;
  /** EXECUTOR_NODES, or unset for one node sized from this host. */
  nodes: string | undefined;
  /** SCHEDULE_LEASE_MS, SCHEDULE_PARTITIONS: schedule planning leases. */
  scheduleLeaseMs: number;
  schedulePartitions: number;
  /** SCHEDULE_DECIDE_AHEAD_MS: ticks decided (tasks written) this long before their instant. */
  scheduleDecideAheadMs: number;
  /** CLAIM_AHEAD_MS: tasks due within this long are claimed now and started at their run_after. */
  claimAheadMs: number;
  /** NODE_RETIRE_AFTER_MS: lost nodes silent this long are retired. */
  nodeRetireAfterMs: number;
  /** DECISION_RECORDING, DECISIONS_RETENTION_DAYS: placement decision records and how long they are kept. */
  recordDecisions: boolean;
  decisionsRetentionDays: number;
  /** RETENTION_*: what finished work is kept how long, and how the purge is paced (retention/retention-plan.ts). */
  retention: RetentionSettings;
}

export function executorSettings(id: AppIdentity, config: KairosConfig): ExecutorSettings {
  return {
    executorId: id.instanceId,
    leaseMs: config.LEASE_MS,
    heartbeatMs: config.HEARTBEAT_MS,
    metricsSampleMs: config.METRICS_SAMPLE_MS,
    slotsPerNode: config.EXECUTOR_SLOTS,
    outputTailBytes: config.OUTPUT_TAIL_BYTES,
    schedulerPolicy: config.SCHEDULER_POLICY,
    nodes: config.EXECUTOR_NODES,
    scheduleLeaseMs: config.SCHEDULE_LEASE_MS,
    schedulePartitions: config.SCHEDULE_PARTITIONS,
    scheduleDecideAheadMs: config.SCHEDULE_DECIDE_AHEAD_MS ?? (config.DATABASE_URL ? 1_000 : 2_000),
    claimAheadMs: config.CLAIM_AHEAD_MS ?? (config.DATABASE_URL ? 250 : 1_000),
    nodeRetireAfterMs: config.NODE_RETIRE_AFTER_MS,
    recordDecisions: config.DECISION_RECORDING,
    decisionsRetentionDays: config.DECISIONS_RETENTION_DAYS,
    retention: {
      tasksDays: config.RETENTION_TASKS_DAYS,
      eventsDays: config.RETENTION_EVENTS_DAYS,
      outputsDays: config.RETENTION_OUTPUTS_DAYS,
      mode: config.RETENTION_MODE,
      batchSize: config.RETENTION_BATCH_SIZE,
      pauseMs: config.RETENTION_PAUSE_MS,
      intervalMs: config.RETENTION_INTERVAL_MS,
    },
  };
}

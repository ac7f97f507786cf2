import type { KairosConfig } from '@kairos/platform';
import type { AppIdentity } from '@kairos/runtime';

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
  /** NODE_RETIRE_AFTER_MS: lost nodes silent this long are retired. */
  nodeRetireAfterMs: number;
  /** DECISION_RECORDING, DECISIONS_RETENTION_DAYS: placement decision records and how long they are kept. */
  recordDecisions: boolean;
  decisionsRetentionDays: number;
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
    nodeRetireAfterMs: config.NODE_RETIRE_AFTER_MS,
    recordDecisions: config.DECISION_RECORDING,
    decisionsRetentionDays: config.DECISIONS_RETENTION_DAYS,
  };
}

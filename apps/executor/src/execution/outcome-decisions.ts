// Decision records (libs/contracts DecisionRecord) for what the executor decides after an attempt ends
// or is lost, for what it grants an attempt when it starts it, and for the repairs it applies: kinds
// 'retry', 'failover', 'allocation' and 'repair' in the same scheduling_decisions store as the placement
// and ordering records. Pure: ids and instants are injected.
import type { DecisionCandidate, DecisionRecord, RepairRequested, TaskStatus } from '@kairos/contracts';
import { MAX_LOST_ATTEMPTS } from '@kairos/scheduling-core';

/** The retry policy as it is recorded: DEFAULT_RETRY_POLICY's back-off (1 s × 2^(n−1), cap 100 s, equal jitter). */
export const RETRY_DECISION_POLICY = { name: 'retry-budget', version: 'exp-1s-x2-cap100s-equal-jitter' } as const;
export const FAILOVER_DECISION_POLICY = { name: 'lease-recovery', version: `lost-max-${MAX_LOST_ATTEMPTS}` } as const;
export const REPAIR_DECISION_POLICY = { name: 'repair-apply', version: '1' } as const;
/** What an attempt is granted on its node: its CPU and memory requests, and its GPUs as the lowest free device indices (GpuDeviceAllocator). */
export const ALLOCATION_DECISION_POLICY = { name: 'node-grant', version: 'gpu-lowest-free-1' } as const;

const MAX_TEXT = 500;
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

const option = (id: 'retry' | 'fail' | 'apply' | 'refuse' | 'requeue', label: string, eligible = true, excludedBy?: string): DecisionCandidate => ({
  id,
  label,
  score: null,
  components: [],
  eligible,
  ...(excludedBy !== undefined ? { excludedBy: clip(excludedBy) } : {}),
});

/** What every decision about one attempt of a task on a node names. */
export interface AttemptDecisionSubject {
  readonly decisionId: string;
  readonly at: Date;
  readonly taskId: string;
  readonly nodeId: string;
  readonly workflowRunId: string | null;
  readonly attempt: number;
}

export interface RetryDecisionInput extends AttemptDecisionSubject {
  /** Attempts charged to the task's budget (lost ones excluded), this one included. */
  readonly chargedAttempts: number;
  readonly maxAttempts: number;
  readonly outcome: 'failed' | 'timed_out' | 'oom_killed';
  readonly exitCode: number | null;
  readonly error: string | null;
  /** The task's status after the decision: 'queued' = retried, else the terminal status. */
  readonly next: TaskStatus;
  /** Back-off before the retry (0 when the task failed). */
  readonly backoffMs: number;
}

/** Retry or fail after a failed attempt: attempts used, the back-off drawn, and why the other option lost. */
export function retryDecisionRecord(i: RetryDecisionInput): DecisionRecord {
  const retried = i.next === 'queued';
  const used = `${i.chargedAttempts} of ${i.maxAttempts} attempts used`;
  const ended = `attempt ${i.attempt} ${i.outcome}${i.exitCode !== null ? ` (exit ${i.exitCode})` : ''}`;
  const retry = option('retry', `retry after ${i.backoffMs} ms`, retried, retried ? undefined : `retry budget spent: ${used}`);
  const fail = option('fail', `fail the task (${i.outcome})`, !retried, retried ? `attempts remain: ${used}` : undefined);
  return {
    schemaVersion: 1,
    decisionId: i.decisionId,
    kind: 'retry',
    at: i.at.toISOString(),
    policy: { ...RETRY_DECISION_POLICY },
    taskId: i.taskId,
    nodeId: i.nodeId,
    workflowRunId: i.workflowRunId,
    objective: 'max',
    chosen: retried ? retry : fail,
    runnerUp: { candidate: retried ? fail : retry, reason: 'constraint', margin: null, detail: retried ? `attempts remain: ${used}` : `retry budget spent: ${used}` },
    inputs: {
      attempt: i.attempt,
      extra: {
        outcome: i.outcome,
        attemptsUsed: i.chargedAttempts,
        maxAttempts: i.maxAttempts,
        backoffMs: i.backoffMs,
        ...(i.exitCode !== null ? { exitCode: i.exitCode } : {}),
        ...(i.error ? { error: clip(i.error) } : {}),
      },
    },
    confidence: null,
    candidatesConsidered: 2,
    candidatesSampled: false,
    summary: clip(retried ? `${ended}: retry in ${formatMs(i.backoffMs)} (${used})` : `${ended}: task ${i.next}, retry budget spent (${used})`),
  };
}

export interface FailoverDecisionInput {
  readonly decisionId: string;
  readonly at: Date;
  readonly taskId: string;
  /** The node the lost attempt ran on. */
  readonly nodeId: string;
  readonly attempt: number;
  /** The executor whose lease lapsed (or that restarted). */
  readonly leaseOwner: string;
  /** Lost attempts so far, this one included. */
  readonly lostCount: number;
  readonly next: TaskStatus;
  readonly reason: string;
}

/** Lease recovery: a lost attempt (its executor died or restarted) is requeued elsewhere, or the task fails after too many losses. */
export function failoverDecisionRecord(i: FailoverDecisionInput): DecisionRecord {
  const requeued = i.next === 'queued';
  const used = `${i.lostCount} lost, requeued up to ${MAX_LOST_ATTEMPTS}`;
  const requeue = option('requeue', 'requeue for another node (not charged to the retry budget)', requeued, requeued ? undefined : `too many lost attempts: ${used}`);
  const fail = option('fail', 'fail the task', !requeued, requeued ? `lost attempts are retried: ${used}` : undefined);
  return {
    schemaVersion: 1,
    decisionId: i.decisionId,
    kind: 'failover',
    at: i.at.toISOString(),
    policy: { ...FAILOVER_DECISION_POLICY },
    taskId: i.taskId,
    nodeId: i.nodeId,
    objective: 'max',
    chosen: requeued ? requeue : fail,
    runnerUp: { candidate: requeued ? fail : requeue, reason: 'constraint', margin: null, detail: clip(requeued ? `lost attempts are retried: ${used}` : `too many lost attempts: ${used}`) },
    inputs: { attempt: i.attempt, extra: { leaseOwner: clip(i.leaseOwner), lostCount: i.lostCount, maxRequeuedLost: MAX_LOST_ATTEMPTS, reason: clip(i.reason) } },
    confidence: null,
    candidatesConsidered: 2,
    candidatesSampled: false,
    summary: clip(requeued ? `attempt ${i.attempt} on ${i.nodeId} lost (${i.leaseOwner}): requeued (${used})` : `attempt ${i.attempt} on ${i.nodeId} lost (${i.leaseOwner}): task ${i.next} (${used})`),
  };
}

export interface RepairDecisionInput {
  readonly decisionId: string;
  readonly at: Date;
  readonly request: RepairRequested;
  readonly status: 'applied' | 'dry_run' | 'rejected' | 'forwarded';
  readonly detail: string;
}

/** The executor applying (or forwarding, or describing in dry run) a requested repair, or refusing it. */
export function repairDecisionRecord(i: RepairDecisionInput): DecisionRecord {
  const a = i.request.action;
  const nodeId = 'nodeId' in a ? a.nodeId : null;
  const applied = i.status === 'applied' || i.status === 'forwarded';
  const apply = option('apply', i.status === 'dry_run' ? `describe ${a.kind} (dry run)` : `apply ${a.kind}`, i.status !== 'rejected', i.status === 'rejected' ? i.detail : undefined);
  const refuse = option('refuse', 'refuse the repair', i.status === 'rejected');
  return {
    schemaVersion: 1,
    decisionId: i.decisionId,
    kind: 'repair',
    at: i.at.toISOString(),
    policy: { ...REPAIR_DECISION_POLICY },
    taskId: null,
    nodeId,
    objective: 'max',
    chosen: applied || i.status === 'dry_run' ? apply : refuse,
    runnerUp: i.status === 'rejected' ? { candidate: apply, reason: 'constraint', margin: null, detail: clip(i.detail) } : null,
    inputs: {
      extra: {
        actionId: i.request.actionId,
        action: a.kind,
        status: i.status,
        requestedBy: clip(i.request.requestedBy),
        requestConfidence: i.request.confidence,
        dryRun: i.request.dryRun,
        reason: clip(i.request.reason),
        ...('queue' in a ? { queue: a.queue } : {}),
      },
    },
    confidence: i.request.confidence,
    candidatesConsidered: 2,
    candidatesSampled: false,
    summary: clip(`${a.kind}${nodeId ? ` ${nodeId}` : ''} ${i.status.replace('_', ' ')}: ${i.detail}`),
  };
}

type Vector = { readonly cpuMillis: number; readonly memMb: number; readonly gpu: number };

export interface AllocationDecisionInput extends AttemptDecisionSubject {
  /** What the task asked for. */
  readonly requested: Vector;
  /** The node's free capacity just before this grant (CPU and memory as the executor counts them, free GPU devices). */
  readonly nodeFree: Vector;
  readonly nodeCapacity: Vector;
  /** The node's device indices, ascending; the free ones before the grant; the ones granted. */
  readonly devices: readonly number[];
  readonly freeDevices: readonly number[];
  readonly granted: readonly number[];
  /** How long the attempt waited for its devices (an ending attempt on the node still held them). */
  readonly waitedMs: number;
}

const deviceList = (d: readonly number[]) => (d.length ? d.join(',') : 'none');

/**
 * What the executor granted an attempt when it started it on its node: the CPU and memory requests
 * reserved against the node's free capacity, and the GPU devices handed to it (CUDA_VISIBLE_DEVICES),
 * lowest free indices first. The alternatives are the other free devices: the runner-up is the next
 * free set of the same size, lost on the lowest-index tie-break; busy devices are listed as excluded.
 */
export function allocationDecisionRecord(i: AllocationDecisionInput): DecisionRecord {
  const want = i.requested.gpu;
  const free = new Set(i.freeDevices);
  const granted = new Set(i.granted);
  const spare = i.freeDevices.filter((d) => !granted.has(d));
  const share = (x: number, cap: number) => (cap > 0 ? x / cap : 0);
  const chosen: DecisionCandidate = {
    id: `gpus:${deviceList(i.granted)}`,
    label: clip(`${i.requested.cpuMillis} mCPU, ${i.requested.memMb} MB${want > 0 ? `, GPU ${deviceList(i.granted)}` : ', no GPU'}`),
    score: null,
    components: [
      { name: 'cpu_request_share_of_free', input: i.requested.cpuMillis, weight: null, contribution: share(i.requested.cpuMillis, i.nodeFree.cpuMillis) },
      { name: 'mem_request_share_of_free', input: i.requested.memMb, weight: null, contribution: share(i.requested.memMb, i.nodeFree.memMb) },
      { name: 'gpu_request_share_of_free', input: want, weight: null, contribution: share(want, i.nodeFree.gpu) },
    ],
    eligible: true,
  };
  const runner = want > 0 && spare.length >= want ? spare.slice(0, want) : null;
  const candidates: DecisionCandidate[] = i.devices.map((d) => ({
    id: `gpu:${d}`,
    label: granted.has(d) ? 'granted' : free.has(d) ? 'free, not needed' : 'held by another attempt',
    score: null,
    components: [],
    eligible: free.has(d),
    ...(free.has(d) ? {} : { excludedBy: 'held by another attempt' }),
  }));
  return {
    schemaVersion: 1,
    decisionId: i.decisionId,
    kind: 'allocation',
    at: i.at.toISOString(),
    policy: { ...ALLOCATION_DECISION_POLICY },
    taskId: i.taskId,
    nodeId: i.nodeId,
    workflowRunId: i.workflowRunId,
    objective: 'min',
    chosen,
    runnerUp: runner
      ? {
          candidate: { id: `gpus:${deviceList(runner)}`, label: `GPU ${deviceList(runner)}`, score: null, components: [], eligible: true },
          reason: 'tie_break',
          margin: null,
          detail: 'any free devices serve; the lowest free indices are granted first',
        }
      : null,
    inputs: {
      requests: { cpuMillis: i.requested.cpuMillis, memMb: i.requested.memMb, gpu: want },
      nodeFree: { cpuMillis: Math.max(0, i.nodeFree.cpuMillis), memMb: Math.max(0, i.nodeFree.memMb), gpu: Math.max(0, i.nodeFree.gpu) },
      attempt: i.attempt,
      extra: {
        devicesGranted: deviceList(i.granted),
        devicesFree: deviceList(i.freeDevices),
        nodeCpuMillis: i.nodeCapacity.cpuMillis,
        nodeMemMb: i.nodeCapacity.memMb,
        nodeGpus: i.nodeCapacity.gpu,
        waitedMs: Math.max(0, Math.round(i.waitedMs)),
      },
    },
    confidence: null,
    candidatesConsidered: Math.max(1, i.devices.length),
    ...(candidates.length ? { candidates: candidates.slice(0, 64) } : {}),
    candidatesSampled: candidates.length > 64,
    summary: clip(
      `attempt ${i.attempt} on ${i.nodeId}: ${i.requested.cpuMillis} mCPU of ${Math.max(0, i.nodeFree.cpuMillis)} free, ${i.requested.memMb} MB of ${Math.max(0, i.nodeFree.memMb)} free, ` +
        (want > 0 ? `GPU ${deviceList(i.granted)} of free ${deviceList(i.freeDevices)}` : 'no GPU') +
        (i.waitedMs >= 1 ? ` (waited ${formatMs(Math.round(i.waitedMs))} for devices)` : ''),
    ),
  };
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

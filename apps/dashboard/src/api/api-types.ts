// The REST API's response shapes as the dashboard reads them (README.md's API table). Request shapes
// and status unions come from @kairos/contracts (type-only imports: nothing of it is bundled). When the
// typed client (libs/client) lands, these types move there and this file re-exports them.
import type { RunSpec, SubmitTaskInput, SubmitWorkflowInput, TaskStatus, WorkflowStatus } from '@kairos/contracts';
import type { DecisionRecord } from '../domain/decision-record';

export type { RunSpec, SubmitTaskInput, SubmitWorkflowInput, TaskStatus, WorkflowStatus };

/** A workflow task's state in its run (scheduling-core's DagTaskStatus). */
export type DagTaskStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'upstream_failed' | 'cancelled';
/** An executor attempt's outcome (attempts.status). */
export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'timed_out' | 'oom_killed' | 'cancelled' | 'lost' | 'abandoned';
/** Every status the dashboard colours. */
export type AnyStatus = TaskStatus | DagTaskStatus | AttemptStatus;

export interface ApiErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

export interface Health {
  status: string;
  service: string;
  database: string;
  databaseKind: string;
  bus: string;
  tfjsBackend?: string | null;
  durationModel?: { version: number } | null;
}

export interface TaskView {
  id: string;
  name: string | null;
  queue: string;
  priority: number;
  status: TaskStatus;
  attempts: number;
  maxAttempts: number;
  run: RunSpec;
  resources: { cpuMillis: number; memMb: number; gpu?: number };
  exitCode: number | null;
  outputTail: string | null;
  error: string | null;
  nodeId: string | null;
  predictedP50Ms: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface AttemptView {
  attempt: number;
  nodeId: string;
  executorId: string;
  status: AttemptStatus;
  startedAt: string;
  finishedAt: string | null;
  exitCode: number | null;
  durationMs: number | null;
  error: string | null;
}

export interface LifecycleEvent {
  topic: string;
  at: string;
  attempt?: number;
  nodeId?: string;
  status?: string;
  exitCode?: number | null;
  durationMs?: number;
}

export interface TaskDetail extends TaskView {
  attemptsDetail: AttemptView[];
  events: LifecycleEvent[];
  /** The placement decision, once the executor records one (proposed; absent today). */
  decision?: DecisionRecord | null;
}

export interface NodeRow {
  id: string;
  executorId: string;
  cpuMillis: number;
  memMb: number;
  status: string;
  running: number;
  lastHeartbeatAt: string;
}

export interface Stats {
  tasks: Partial<Record<TaskStatus, number>>;
  nodes: NodeRow[];
  throughput: Array<{ minute: string; status: TaskStatus; count: number }>;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  status: WorkflowStatus;
  generation: number;
  counts: Partial<Record<DagTaskStatus, number>>;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface WorkflowTaskView {
  key: string;
  status: DagTaskStatus;
  dependsOn: string[];
  taskId: string | null;
  taskStatus: TaskStatus | null;
  attempts: number;
  generation: number | null;
  exitCode: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkflowEdge {
  from: string;
  to: string;
  origin: string;
  files: string[];
}

export interface WorkflowView extends WorkflowSummary {
  tasks: WorkflowTaskView[];
  edges: WorkflowEdge[];
}

export interface QueueRow {
  queue: string;
  policy: string | null;
  placement: string | null;
  maxConcurrent?: number | null;
  updatedAt: string | null;
  queued: number;
  running: number;
}

export interface QueuesResponse {
  defaultPolicy: string;
  policies: string[];
  placements: string[];
  queues: QueueRow[];
}

export interface ExecutorNode {
  id: string;
  cpuMillis: number;
  memMb: number;
  usedCpu: number;
  usedMem: number;
  running: number;
  cordoned: boolean;
}

export interface ExecutorStatus {
  defaultPolicy: { policy: string; placement: string };
  decisionLatency: { count: number; window: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
  running: number;
  nodes: ExecutorNode[];
}

export interface NodeRollup {
  minute: string;
  samples: number;
  cpuAvg: number;
  cpuMax: number;
  memAvg: number;
  memMax: number;
}

export interface AnomalyScore {
  nodeId: string;
  metric: string;
  points: number;
  latest: number | null;
  max: number | null;
  maxAt: string | null;
  samplesSeen: number;
  learning: boolean;
}

export interface RepairActionSpec {
  kind: string;
  [field: string]: unknown;
}

export interface Diagnosis {
  id: string;
  ruleId: string;
  target: { kind: 'node'; nodeId: string } | { kind: 'queue'; queue: string };
  confidence: number;
  explanation: string;
  evidence: unknown;
  action: RepairActionSpec;
  outcome: 'sent' | 'dry-run' | 'suppressed';
  reason: string;
  actionId: string | null;
  decidedBy: string;
  decidedAt: string;
}

export interface RepairAudit {
  actionId: string;
  kind: string;
  action: RepairActionSpec;
  reason: string;
  confidence: number | null;
  dryRun: boolean;
  requestedBy: string;
  status: string;
  detail: string | null;
  appliedBy: string | null;
  appliedAt: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  stage: 'candidate' | 'production' | 'archived' | string;
  metrics: Record<string, number>;
  trainingWindow: { from: string; to: string } | null;
  backend: string;
  createdAt: string;
  createdBy: string;
  notes: string | null;
  stageChangedAt: string;
}

export interface ModelSummary {
  name: string;
  versions: number;
  production: ModelVersion | null;
  revision: number;
}

export interface StageChange {
  version: number;
  from: string | null;
  to: string;
  reason: string;
  at: string;
  by: string;
  note: string | null;
}

export interface ModelVersions {
  name: string;
  versions: ModelVersion[];
  history: StageChange[];
}

export interface VersionAccuracy {
  version: string;
  count: number;
  mae: number | null;
  mape: number | null;
  p90Coverage: number | null;
  coverageCount: number;
  bias: number | null;
}

export interface ModelAccuracy {
  name: string;
  productionVersion: number | null;
  versions: VersionAccuracy[];
}

export interface DriftReport {
  id: string;
  version: number;
  /** e.g. none | alert | retrain */
  decision: string;
  reasons: string[];
  retrainRequested: boolean;
  assessedBy: string;
  assessedAt: string;
  report: unknown;
}

export interface ModelDrift {
  name: string;
  reports: DriftReport[];
}

export interface Prediction {
  taskId: string;
  signature: string;
  p50Ms: number | null;
  p90Ms: number | null;
  model: string;
  modelVersion: string;
  basedOn: number;
  estimatedAt: string;
}

import { TraceParseError } from '../model/errors';
import type { NodeSpec } from '../model/node.model';
import { RESOURCE_KEYS, resources, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import { fnv1a } from '../placement/consistent-hash.placement';
import { causalPredictions } from './duration-estimator';

/** One parsed row of Alibaba cluster-trace-v2017 batch_task.csv. */
export interface AlibabaTaskRow {
  readonly line: number;
  readonly createTime: number;
  readonly endTime: number;
  readonly jobId: string;
  readonly taskId: string;
  readonly instances: number;
  readonly status: string;
  /** 1/100 core per instance; null when the trace leaves it empty. */
  readonly planCpu: number | null;
  /** Fraction of one machine's memory per instance; null when empty. */
  readonly planMem: number | null;
}

const REQUIRED = ['task_create_time', 'task_end_time', 'job_id', 'task_id', 'instance_num', 'status', 'plan_cpu', 'plan_mem'] as const;

/** Parses the CSV text; any malformed row fails with file, line and reason. */
export function parseAlibabaBatchTasks(text: string, file: string): AlibabaTaskRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED.filter((c) => !col.has(c));
  if (missing.length > 0) throw new TraceParseError(file, 1, `missing column(s): ${missing.join(', ')}`);
  const at = (c: (typeof REQUIRED)[number]): number => col.get(c) as number;
  const rows: AlibabaTaskRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const line = i + 1;
    const f = raw.split(',');
    if (f.length < header.length) throw new TraceParseError(file, line, `expected ${header.length} fields, got ${f.length}`);
    const num = (c: (typeof REQUIRED)[number], allowEmpty: boolean): number | null => {
      const v = (f[at(c)] ?? '').trim();
      if (v === '') {
        if (allowEmpty) return null;
        throw new TraceParseError(file, line, `${c} is empty`);
      }
      const x = Number(v);
      if (!Number.isFinite(x)) throw new TraceParseError(file, line, `${c} is not a number: "${v}"`);
      return x;
    };
    const status = (f[at('status')] ?? '').trim();
    const createTime = num('task_create_time', false) as number;
    // Unfinished rows (Running, Waiting) legitimately have no end time.
    const endTime = num('task_end_time', status !== 'Terminated');
    const instances = num('instance_num', false) as number;
    if (!Number.isInteger(instances) || instances < 0) throw new TraceParseError(file, line, `instance_num must be a non-negative integer, got ${instances}`);
    const planCpu = num('plan_cpu', true);
    const planMem = num('plan_mem', true);
    if (planCpu !== null && planCpu < 0) throw new TraceParseError(file, line, `plan_cpu is negative: ${planCpu}`);
    if (planMem !== null && (planMem < 0 || planMem > 1)) throw new TraceParseError(file, line, `plan_mem must be in [0, 1], got ${planMem}`);
    if (status === 'Terminated' && endTime !== null && endTime < createTime) {
      throw new TraceParseError(file, line, `task_end_time ${endTime} is before task_create_time ${createTime}`);
    }
    rows.push({
      line,
      createTime,
      endTime: endTime ?? NaN,
      jobId: (f[at('job_id')] ?? '').trim(),
      taskId: (f[at('task_id')] ?? '').trim(),
      instances,
      status,
      planCpu,
      planMem,
    });
  }
  return rows;
}

export interface AlibabaMappingOptions {
  /** Skip this many usable (Terminated) tasks first: they are history for the predictor only. */
  readonly offset?: number;
  readonly limit?: number;
  /** One machine of the 2017 cluster (plan_mem is a fraction of it). */
  readonly machine?: Resources;
  readonly tenants?: number;
  readonly gang?: boolean;
  /** Cap on instances per task (undefined = as in the trace). */
  readonly maxInstances?: number;
  /**
   * Keep only jobs with hash(job) in this fraction (1 = all). Thinning whole jobs keeps every
   * task's shape and the arrival pattern while shrinking the cluster the replay needs.
   */
  readonly jobSample?: number;
}

export const ALIBABA_MACHINE: Resources = resources({ cpuMillis: 64_000, memMb: 131_072, io: 1000, net: 10_000 });

/**
 * Maps Terminated rows onto Kairos tasks. Each task's instance_num instances become separately
 * schedulable units that each run for the task's observed span (end − create; the task table has
 * no per-instance times). Empty plan_cpu / plan_mem take the median of the non-empty rows.
 * Tenants (absent in the trace) are hash(job) mod `tenants`; priority (absent) is hash(job) mod 3.
 * Predictions come from `causalPredictions` over ALL rows (sampled out or not), so earlier rows act
 * as training history. `offset`/`limit` count tasks after job sampling.
 */
export function alibabaToTasks(rows: readonly AlibabaTaskRow[], opts: AlibabaMappingOptions = {}): Task[] {
  const machine = opts.machine ?? ALIBABA_MACHINE;
  const usable = rows.filter((r) => r.status === 'Terminated' && r.instances > 0 && Number.isFinite(r.endTime));
  const median = (xs: number[]): number => {
    const s = xs.slice().sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  const cpuMed = median(usable.flatMap((r) => (r.planCpu !== null && r.planCpu > 0 ? [r.planCpu] : []))) || 100;
  const memMed = median(usable.flatMap((r) => (r.planMem !== null && r.planMem > 0 ? [r.planMem] : []))) || 0.01;
  const cpuOf = (r: AlibabaTaskRow): number => (r.planCpu !== null && r.planCpu > 0 ? r.planCpu : cpuMed);
  const memOf = (r: AlibabaTaskRow): number => (r.planMem !== null && r.planMem > 0 ? r.planMem : memMed);
  const preds = causalPredictions(
    usable.map((r) => ({ jobId: r.jobId, arrival: r.createTime, end: r.endTime, cpu: cpuOf(r), mem: memOf(r), instances: r.instances })),
  );
  const sample = opts.jobSample ?? 1;
  const kept: number[] = [];
  for (let i = 0; i < usable.length; i++) {
    if (sample >= 1 || (fnv1a(`s${(usable[i] as AlibabaTaskRow).jobId}`) % 100_000) / 100_000 < sample) kept.push(i);
  }
  const offset = opts.offset ?? 0;
  const end = opts.limit !== undefined ? offset + opts.limit : kept.length;
  const tenants = opts.tenants ?? 8;
  const out: Task[] = [];
  for (let j = offset; j < Math.min(end, kept.length); j++) {
    const i = kept[j] as number;
    const r = usable[i] as AlibabaTaskRow;
    const p = preds[i];
    const instances = opts.maxInstances ? Math.min(opts.maxInstances, r.instances) : r.instances;
    out.push({
      id: `${r.jobId}/${r.taskId}`,
      jobId: r.jobId,
      tenant: `t${fnv1a(r.jobId) % tenants}`,
      priority: fnv1a(`p${r.jobId}`) % 3,
      request: resources({
        cpuMillis: Math.min(machine.cpuMillis, cpuOf(r) * 10),
        memMb: Math.min(machine.memMb, memOf(r) * machine.memMb),
      }),
      duration: { predicted: p?.predicted, predictedStd: p?.std, actual: Math.max(1, r.endTime - r.createTime) },
      arrival: r.createTime,
      instances,
      gang: opts.gang ?? false,
    });
  }
  return out;
}

/**
 * Largest homogeneous cluster of `machine`s on which the offered load (on the busiest resource) is
 * still at least `load`. Offered load = the demand an unbounded cluster would carry during the arrival
 * window (each instance's request × the part of [arrival, arrival + duration] inside
 * [first arrival, last arrival]) ÷ (capacity × window length). Counting only the in-window part
 * matters for heavy-tailed traces: a 30,000 s task arriving near the end offers little load inside
 * the replay window, and counting all of it would size a cluster that sits half idle.
 */
export function sizeCluster(tasks: readonly Task[], load: number, machine: Resources = ALIBABA_MACHINE): { nodes: NodeSpec[]; offeredLoad: number } {
  const first = Math.min(...tasks.map((t) => t.arrival));
  const last = Math.max(...tasks.map((t) => t.arrival));
  const span = Math.max(1, last - first);
  let exact = 0;
  const work: Record<string, number> = {};
  for (const k of RESOURCE_KEYS) {
    let w = 0;
    for (const t of tasks) {
      const inWindow = Math.max(0, Math.min(last, t.arrival + (t.duration.actual ?? 0)) - t.arrival);
      w += t.request[k] * t.instances * (span > 1 ? inWindow : (t.duration.actual ?? 0));
    }
    work[k] = w;
    if (machine[k] > 0) exact = Math.max(exact, w / (load * span * machine[k]));
  }
  // The largest cluster whose offered load is still at least `load` (on its busiest resource): a target
  // "at offered load ≥ x" must not be met on a cluster rounded up to below x.
  const needed = Math.max(1, Math.floor(exact));
  let offered = 0;
  for (const k of RESOURCE_KEYS) if (machine[k] > 0) offered = Math.max(offered, (work[k] ?? 0) / (needed * span * machine[k]));
  const nodes: NodeSpec[] = Array.from({ length: needed }, (_, i) => ({ id: `n${i}`, capacity: machine, labels: { pool: 'batch' } }));
  return { nodes, offeredLoad: offered };
}

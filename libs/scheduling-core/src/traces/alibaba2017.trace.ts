import { TraceParseError } from '../model/errors';
import { resources, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import { fnv1a } from '../placement/consistent-hash.placement';

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
type Column = (typeof REQUIRED)[number];

/** Why a row was skipped. */
export const BAD_ROW_REASONS = [
  'missing-fields',
  'empty-field',
  'non-numeric',
  'end-before-create',
  'bad-instance-count',
  'negative-plan-cpu',
  'plan-mem-out-of-range',
] as const;
export type BadRowReason = (typeof BAD_ROW_REASONS)[number];

export interface SkippedRow {
  readonly line: number;
  readonly reason: BadRowReason;
  readonly field: Column | null;
  readonly message: string;
}

export interface AlibabaParseResult {
  readonly rows: AlibabaTaskRow[];
  /** Data lines read (blank lines excluded). */
  readonly dataLines: number;
  readonly skipped: Readonly<Record<BadRowReason, number>>;
  readonly skippedTotal: number;
  /** The first few skipped rows, for the report. */
  readonly examples: readonly SkippedRow[];
}

export interface AlibabaParseOptions {
  /** Fail on the first malformed row (file:line, field) instead of skipping and counting it. */
  readonly strict?: boolean;
  readonly maxExamples?: number;
}

class BadRow {
  constructor(
    readonly reason: BadRowReason,
    readonly field: Column | null,
    readonly message: string,
  ) {}
}

/**
 * Parses the CSV text. A malformed row (too few fields, an empty or non-numeric number, end before
 * create, a bad instance count or request) is skipped and counted by reason, so one bad row never
 * rejects a whole file; with `strict` the first one throws a TraceParseError naming file, line and
 * field. A header without the required columns always throws (nothing could be read).
 */
export function parseAlibabaBatchTasks(text: string, file: string, opts: AlibabaParseOptions = {}): AlibabaParseResult {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED.filter((c) => !col.has(c));
  if (missing.length > 0) throw new TraceParseError(file, 1, `missing column(s): ${missing.join(', ')}`, missing[0]);
  const at = (c: Column): number => col.get(c) as number;
  const rows: AlibabaTaskRow[] = [];
  const skipped = Object.fromEntries(BAD_ROW_REASONS.map((r) => [r, 0])) as Record<BadRowReason, number>;
  const examples: SkippedRow[] = [];
  const maxExamples = opts.maxExamples ?? 10;
  let dataLines = 0;
  let skippedTotal = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    dataLines++;
    const line = i + 1;
    try {
      rows.push(parseRow(raw.split(','), header.length, at, line));
    } catch (e) {
      if (!(e instanceof BadRow)) throw e;
      if (opts.strict) throw new TraceParseError(file, line, e.message, e.field ?? undefined);
      skipped[e.reason]++;
      skippedTotal++;
      if (examples.length < maxExamples) examples.push({ line, reason: e.reason, field: e.field, message: `${file}:${line}: ${e.message}` });
    }
  }
  return { rows, dataLines, skipped, skippedTotal, examples };
}

function parseRow(f: string[], width: number, at: (c: Column) => number, line: number): AlibabaTaskRow {
  if (f.length < width) throw new BadRow('missing-fields', null, `expected ${width} fields, got ${f.length}`);
  const num = (c: Column, allowEmpty: boolean): number | null => {
    const v = (f[at(c)] ?? '').trim();
    if (v === '') {
      if (allowEmpty) return null;
      throw new BadRow('empty-field', c, `${c} is empty`);
    }
    const x = Number(v);
    if (!Number.isFinite(x)) throw new BadRow('non-numeric', c, `${c} is not a number: "${v}"`);
    return x;
  };
  const status = (f[at('status')] ?? '').trim();
  const createTime = num('task_create_time', false) as number;
  // Unfinished rows (Running, Waiting) legitimately have no end time.
  const endTime = num('task_end_time', status !== 'Terminated');
  const instances = num('instance_num', false) as number;
  if (!Number.isInteger(instances) || instances < 0) throw new BadRow('bad-instance-count', 'instance_num', `instance_num must be a non-negative integer, got ${instances}`);
  const planCpu = num('plan_cpu', true);
  const planMem = num('plan_mem', true);
  if (planCpu !== null && planCpu < 0) throw new BadRow('negative-plan-cpu', 'plan_cpu', `plan_cpu is negative: ${planCpu}`);
  if (planMem !== null && (planMem < 0 || planMem > 1)) throw new BadRow('plan-mem-out-of-range', 'plan_mem', `plan_mem must be in [0, 1], got ${planMem}`);
  if (status === 'Terminated' && endTime !== null && endTime < createTime) {
    throw new BadRow('end-before-create', 'task_end_time', `task_end_time ${endTime} is before task_create_time ${createTime}`);
  }
  return {
    line,
    createTime,
    endTime: endTime ?? NaN,
    jobId: (f[at('job_id')] ?? '').trim(),
    taskId: (f[at('task_id')] ?? '').trim(),
    instances,
    status,
    planCpu,
    planMem,
  };
}

export interface AlibabaMappingOptions {
  /** One machine of the 2017 cluster (plan_mem is a fraction of it). */
  readonly machine?: Resources;
  readonly tenants?: number;
  readonly gang?: boolean;
}

export const ALIBABA_MACHINE: Resources = resources({ cpuMillis: 64_000, memMb: 131_072, io: 1000, net: 10_000 });

/** Rows a replay can use: Terminated, with instances and an end time. */
export function usableAlibabaRows(rows: readonly AlibabaTaskRow[]): AlibabaTaskRow[] {
  return rows.filter((r) => r.status === 'Terminated' && r.instances > 0 && Number.isFinite(r.endTime));
}

/**
 * Maps the usable rows onto Kairos tasks, in file order. A task's `duration.actual` is its observed
 * span (end − create, at least 1 s; the task table has no per-instance times): the mean of its
 * instances' run times, which the noise model draws (sim/duration-noise.ts). No predictions are
 * attached: the replay asks an online predictor at each arrival, in simulated time. Empty plan_cpu /
 * plan_mem take the median of the non-empty rows. Tenants (absent in the trace) are hash(job) mod
 * `tenants`; priority (absent) is hash(job) mod 3.
 */
export function alibabaToTasks(rows: readonly AlibabaTaskRow[], opts: AlibabaMappingOptions = {}): Task[] {
  const machine = opts.machine ?? ALIBABA_MACHINE;
  const usable = usableAlibabaRows(rows);
  const median = (xs: number[]): number => {
    const s = xs.slice().sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  const cpuMed = median(usable.flatMap((r) => (r.planCpu !== null && r.planCpu > 0 ? [r.planCpu] : []))) || 100;
  const memMed = median(usable.flatMap((r) => (r.planMem !== null && r.planMem > 0 ? [r.planMem] : []))) || 0.01;
  const cpuOf = (r: AlibabaTaskRow): number => (r.planCpu !== null && r.planCpu > 0 ? r.planCpu : cpuMed);
  const memOf = (r: AlibabaTaskRow): number => (r.planMem !== null && r.planMem > 0 ? r.planMem : memMed);
  const tenants = opts.tenants ?? 8;
  return usable.map((r) => ({
    id: `${r.jobId}/${r.taskId}`,
    jobId: r.jobId,
    tenant: `t${fnv1a(r.jobId) % tenants}`,
    priority: fnv1a(`p${r.jobId}`) % 3,
    request: resources({
      cpuMillis: Math.min(machine.cpuMillis, cpuOf(r) * 10),
      memMb: Math.min(machine.memMb, memOf(r) * machine.memMb),
    }),
    duration: { actual: Math.max(1, r.endTime - r.createTime) },
    arrival: r.createTime,
    instances: r.instances,
    gang: opts.gang ?? false,
  }));
}

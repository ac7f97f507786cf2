import { PredictionError } from './prediction.errors';

/** One row of the Alibaba 2017 batch_task trace (times in seconds from trace start). */
export interface TraceTask {
  readonly createTime: number;
  readonly endTime: number;
  readonly jobId: string;
  readonly taskId: string;
  readonly instanceNum: number;
  readonly status: string;
  /** Requested CPU per instance in 1/100 core; null when the trace leaves it empty. */
  readonly planCpu: number | null;
  /** Requested memory per instance as a fraction of a machine; null when empty. */
  readonly planMem: number | null;
}

const COLUMNS = [
  'task_create_time',
  'task_end_time',
  'job_id',
  'task_id',
  'instance_num',
  'status',
  'plan_cpu',
  'plan_mem',
] as const;

/** Only these rows carry a real duration (end − create). */
export function hasRealDuration(t: TraceTask): boolean {
  return t.status === 'Terminated' && t.endTime >= t.createTime;
}

/**
 * Parses batch_task.csv text (header required). Errors name the source, line and field.
 * Rows are returned sorted by create time (stable), as the trace promises but we do not trust.
 */
export function parseAlibabaBatchTasks(text: string, source: string): TraceTask[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().split(',');
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new PredictionError('INVALID_TRACE', `${source}:1: header lacks column(s) ${missing.join(', ')}`);
  }
  const col = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const out: TraceTask[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const f = line.split(',');
    const at = (name: (typeof COLUMNS)[number]): string => f[col[name]] ?? '';
    const fail = (name: string, why: string): never => {
      throw new PredictionError('INVALID_TRACE', `${source}:${li + 1}: field ${name} ${why}`);
    };
    const num = (name: (typeof COLUMNS)[number]): number => {
      const s = at(name);
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) fail(name, `is not a number ("${s}")`);
      return v;
    };
    const optNum = (name: (typeof COLUMNS)[number]): number | null => {
      const s = at(name);
      if (s === '') return null;
      const v = Number(s);
      if (!Number.isFinite(v) || v < 0) fail(name, `is not a non-negative number ("${s}")`);
      return v;
    };
    if (f.length < header.length) fail('(row)', `has ${f.length} fields, header has ${header.length}`);
    const instanceNum = num('instance_num');
    if (!Number.isInteger(instanceNum) || instanceNum < 0) fail('instance_num', `must be a non-negative integer ("${at('instance_num')}")`);
    const status = at('status');
    if (status === '') fail('status', 'is empty');
    out.push({
      createTime: num('task_create_time'),
      endTime: num('task_end_time'),
      jobId: at('job_id'),
      taskId: at('task_id'),
      instanceNum,
      status,
      planCpu: optNum('plan_cpu'),
      planMem: optNum('plan_mem'),
    });
  }
  // Stable sort keeps the file order among equal create times.
  return out.map((t, i) => ({ t, i })).sort((a, b) => a.t.createTime - b.t.createTime || a.i - b.i).map((e) => e.t);
}

import { TraceTask, parseAlibabaBatchTasks } from './alibaba-trace.parser';
import { DURATION_FEATURE_COUNT, DURATION_FEATURE_NAMES, buildDurationDataset, compareTaskIds, kaplanMeierMedian, medianOf } from './duration-features';
import { PredictionError } from './prediction.errors';

function makeTask(over: Partial<TraceTask>): TraceTask {
  return { createTime: 0, endTime: 10, jobId: 'j1', taskId: 't', instanceNum: 1, status: 'Terminated', planCpu: 50, planMem: 0.01, ...over };
}

const col = (name: (typeof DURATION_FEATURE_NAMES)[number]): number => DURATION_FEATURE_NAMES.indexOf(name);

describe('buildDurationDataset', () => {
  it('only uses completions whose end time is strictly before the create time', () => {
    const tasks = [
      makeTask({ taskId: 'a', createTime: 0, endTime: 100 }), // ends at 100
      makeTask({ taskId: 'b', createTime: 50, endTime: 60 }), // a not finished yet at 50
      makeTask({ taskId: 'x', createTime: 60, endTime: 70, jobId: 'j2' }), // b ends at 60: not visible at 60
      makeTask({ taskId: 'c', createTime: 101, endTime: 130 }), // a, b and x finished before 101
    ];
    const ds = buildDurationDataset(tasks, { trainFraction: 0.5 });
    const f = (row: number, name: (typeof DURATION_FEATURE_NAMES)[number]): number => ds.features[row * ds.cols + col(name)];
    expect(ds.cols).toBe(DURATION_FEATURE_COUNT);
    // Row order follows create time: a, b, c.
    expect(f(0, 'log_job_done')).toBe(0);
    expect(f(1, 'log_job_done')).toBe(0);
    expect(f(1, 'job_done_mean_log_dur')).toBe(-1);
    expect(f(1, 'log_job_running')).toBeCloseTo(Math.log1p(2));
    expect(f(1, 'job_running_max_log_elapsed')).toBeCloseTo(Math.log1p(50));
    expect(f(2, 'log_job_done')).toBe(0);
    expect(f(3, 'log_job_done')).toBeCloseTo(Math.log1p(2));
    expect(f(3, 'job_done_last_log_dur')).toBeCloseTo(Math.log1p(100));
    expect(f(3, 'job_done_mean_log_dur')).toBeCloseTo((Math.log1p(10) + Math.log1p(100)) / 2);
    // The baselines see the same history: at c, completions b (10 s), x (10 s) then a (100 s).
    expect(ds.baselines.global.get(5)?.[3]).toBeCloseTo(40);
    expect(ds.baselines.global.get(5)?.[2]).toBe(0);
    expect(ds.baselines.medianShape[3]).toBe(10);
    expect(ds.baselines.medianJob[3]).toBe(55); // j1's finished siblings a and b
    expect(ds.baselines.medianJob[2]).toBe(0); // nothing finished before 60
    expect(ds.baselines.upperShape[3]).toBeCloseTo(10 + 0.8 * 90); // type-7 p90 of {10, 10, 100}
    // Censored same-shape features: at x (t = 60) a and b still run (b's end at 60 is not visible), so
    // the Kaplan–Meier median is only bounded below by the longest elapsed time; at c all three are done.
    expect(f(2, 'log_shape_running')).toBeCloseTo(Math.log1p(2));
    expect(f(2, 'shape_running_max_log_elapsed')).toBeCloseTo(Math.log1p(60));
    expect(f(2, 'shape_km_median_log_dur')).toBeCloseTo(Math.log1p(60));
    expect(f(3, 'log_shape_running')).toBe(0);
    expect(f(3, 'shape_running_max_log_elapsed')).toBe(-1);
    expect(f(3, 'shape_km_median_log_dur')).toBeCloseTo(Math.log1p(10));
  });

  it('splits by job arrival order and emits rows only for real durations', () => {
    const tasks = [
      makeTask({ jobId: 'early', createTime: 0, endTime: 5 }),
      makeTask({ jobId: 'early', createTime: 300, endTime: 320 }),
      makeTask({ jobId: 'late', createTime: 200, endTime: 230 }),
      makeTask({ jobId: 'late', createTime: 210, endTime: 215, status: 'Failed' }),
    ];
    const ds = buildDurationDataset(tasks, { trainFraction: 0.5 });
    expect(ds.rows).toBe(3);
    expect(Array.from(ds.isTrain)).toEqual([1, 0, 1]);
    expect(Array.from(ds.durations)).toEqual([5, 30, 20]);
    expect(ds.trainJobs).toBe(1);
    expect(ds.splitTime).toBe(200);
  });

  it('describes what the job submitted at the same instant, and nothing submitted later', () => {
    const tasks = [
      makeTask({ taskId: 'a', createTime: 0, endTime: 10, instanceNum: 4 }),
      makeTask({ taskId: 'b', createTime: 0, endTime: 20, instanceNum: 10 }),
      makeTask({ taskId: 'c', createTime: 5, endTime: 30, instanceNum: 100 }),
    ];
    const ds = buildDurationDataset(tasks);
    const f = (row: number, name: (typeof DURATION_FEATURE_NAMES)[number]): number => ds.features[row * ds.cols + col(name)];
    expect(f(0, 'log_submission_tasks')).toBeCloseTo(Math.log1p(2));
    expect(f(0, 'log_submission_instances')).toBeCloseTo(Math.log1p(14));
    expect(f(0, 'log_submission_max_instances')).toBeCloseTo(Math.log1p(10));
    expect(f(2, 'log_submission_tasks')).toBeCloseTo(Math.log1p(1));
  });

  it('places each task inside its submission by task id, using only what was submitted at that instant', () => {
    // One submission of three tasks (ids out of file order) and a later single-task submission of the same job.
    const tasks = [
      makeTask({ taskId: '10', createTime: 0, endTime: 50, instanceNum: 3 }),
      makeTask({ taskId: '2', createTime: 0, endTime: 20, instanceNum: 100 }),
      makeTask({ taskId: '7', createTime: 0, endTime: 40, instanceNum: 9 }),
      makeTask({ taskId: '11', createTime: 30, endTime: 60, instanceNum: 1 }),
    ];
    const ds = buildDurationDataset(tasks, { trainFraction: 1 });
    const byDur = (d: number): number => Array.from(ds.durations).indexOf(d);
    const f = (row: number, name: (typeof DURATION_FEATURE_NAMES)[number]): number => ds.features[row * ds.cols + col(name)];
    const first = byDur(20); // id 2
    const middle = byDur(40); // id 7
    const last = byDur(50); // id 10
    expect([f(first, 'log_submission_rank'), f(middle, 'log_submission_rank'), f(last, 'log_submission_rank')]).toEqual([0, Math.log1p(1), Math.log1p(2)]);
    expect([f(first, 'submission_rank_frac'), f(middle, 'submission_rank_frac'), f(last, 'submission_rank_frac')]).toEqual([0, 0.5, 1]);
    expect(f(first, 'log_submission_tasks_after')).toBeCloseTo(Math.log1p(2));
    expect(f(last, 'log_submission_tasks_after')).toBe(0);
    expect(f(first, 'log_submission_instances_before')).toBe(0);
    expect(f(last, 'log_submission_instances_before')).toBeCloseTo(Math.log1p(109));
    expect(f(first, 'log_submission_prev_instances')).toBe(-1);
    expect(f(middle, 'log_submission_prev_instances')).toBeCloseTo(Math.log1p(100));
    expect(f(last, 'submission_sum_log_instances_before')).toBeCloseTo(Math.log1p(100) + Math.log1p(9));
    expect(f(last, 'log_submission_max_instances_before')).toBeCloseTo(Math.log1p(100));
    expect(f(middle, 'log_submission_next_instances')).toBeCloseTo(Math.log1p(3));
    expect(f(last, 'log_submission_next_instances')).toBe(-1);
    expect(f(middle, 'instance_share_of_submission')).toBeCloseTo(9 / 112);
    // The later submission (t = 30): its job's previous submission was at 0; only id 2 (ended at 20) is visible.
    const later = byDur(30);
    expect(f(later, 'log_submission_rank')).toBe(0);
    expect(f(later, 'job_prev_submission_log_gap')).toBeCloseTo(Math.log1p(30));
    expect(f(later, 'log_job_submission_index')).toBeCloseTo(Math.log1p(1));
    expect(f(later, 'job_prev_submission_max_log_dur')).toBeCloseTo(Math.log1p(20));
    expect(f(later, 'job_done_median_log_dur')).toBeCloseTo(Math.log1p(20));
    expect(f(later, 'job_nearest_instances_log_dur')).toBeCloseTo(Math.log1p(20));
    expect(f(later, 'log_since_job_last_done')).toBeCloseTo(Math.log1p(10));
    expect(f(first, 'job_prev_submission_log_gap')).toBe(-1);
    expect(f(first, 'log_job_submission_index')).toBe(0);
  });

  it('keeps a history per submission shape (task count, rank, instance bucket) from completions only', () => {
    const tasks = [
      makeTask({ jobId: 'a', taskId: '1', createTime: 0, endTime: 10 }),
      makeTask({ jobId: 'a', taskId: '2', createTime: 0, endTime: 30 }),
      makeTask({ jobId: 'b', taskId: '1', createTime: 15, endTime: 20 }),
      makeTask({ jobId: 'b', taskId: '2', createTime: 15, endTime: 25 }),
    ];
    const ds = buildDurationDataset(tasks, { trainFraction: 1 });
    const f = (row: number, name: (typeof DURATION_FEATURE_NAMES)[number]): number => ds.features[row * ds.cols + col(name)];
    // Rows in create order: a1, a2, b1, b2. At t = 15 only a1 (rank 0, 10 s) has ended; a2 (rank 1) runs till 30.
    expect(f(2, 'log_shape_done')).toBeCloseTo(Math.log1p(1));
    expect(f(2, 'shape_done_mean_log_dur')).toBeCloseTo(Math.log1p(10));
    expect(f(3, 'log_shape_done')).toBe(0);
    expect(f(3, 'shape_done_mean_log_dur')).toBe(-1);
  });

  it('medianOf and compareTaskIds', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(['10', '9', '100'].map((taskId) => ({ taskId })).sort(compareTaskIds).map((t) => t.taskId)).toEqual(['9', '10', '100']);
    expect(['b', 'a'].map((taskId) => ({ taskId })).sort(compareTaskIds).map((t) => t.taskId)).toEqual(['a', 'b']);
  });

  it('history sequence holds the most recent same-job completion last', () => {
    const tasks = [
      makeTask({ createTime: 0, endTime: 10 }),
      makeTask({ createTime: 1, endTime: 21 }),
      makeTask({ createTime: 30, endTime: 40 }),
    ];
    const ds = buildDurationDataset(tasks, { historyLength: 4 });
    const step = 7;
    const seq = ds.sequences.subarray(2 * 4 * step, 3 * 4 * step);
    expect(seq[3 * step]).toBe(1); // from_job
    expect(seq[3 * step + 2]).toBeCloseTo(Math.log1p(20));
    expect(seq[2 * step + 2]).toBeCloseTo(Math.log1p(10));
    expect(seq[0]).toBe(0);
  });
});

describe('parseAlibabaBatchTasks', () => {
  const header = 'task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem';
  it('parses rows, keeps empty requests as null and sorts by create time', () => {
    const tasks = parseAlibabaBatchTasks(`${header}\n5,9,1,2,3,Terminated,,\n1,4,1,1,2,Failed,50,0.1\n`, 'x.csv');
    expect(tasks.map((t) => t.taskId)).toEqual(['1', '2']);
    expect(tasks[1]).toMatchObject({ planCpu: null, planMem: null, instanceNum: 3 });
  });
  it.each([
    ['a missing column', 'task_create_time,job_id\n1,2', /x.csv:1: header lacks column\(s\) task_end_time/],
    ['a non-numeric time', `${header}\nabc,9,1,2,3,Terminated,50,0.1`, /x.csv:2: field task_create_time is not a number/],
    ['a negative request', `${header}\n1,9,1,2,3,Terminated,-5,0.1`, /x.csv:2: field plan_cpu/],
    ['a short row', `${header}\n1,9,1`, /x.csv:2: field \(row\) has 3 fields/],
  ])('names file, line and field for %s', (_n, text, msg) => {
    expect(() => parseAlibabaBatchTasks(text, 'x.csv')).toThrow(PredictionError);
    expect(() => parseAlibabaBatchTasks(text, 'x.csv')).toThrow(msg);
  });
});

describe('kaplanMeierMedian (censored features)', () => {
  const run = (create: number, end = NaN, real = true): { create: number; end: number; real: boolean } => ({ create, end, real });

  it('is the plain median when every arrival has finished', () => {
    expect(kaplanMeierMedian([run(0, 10), run(0, 20), run(0, 30)], 100)).toBe(20);
  });

  it('counts the running ones as censored at their elapsed time, so long runners raise the median', () => {
    // Finished: 10 s, 20 s; still running after 90 s and 95 s (created at 10 and 5, now 100).
    const finishedOnly = kaplanMeierMedian([run(0, 10), run(0, 20)], 100);
    const withRunning = kaplanMeierMedian([run(0, 10), run(0, 20), run(10), run(5)], 100);
    expect(finishedOnly).toBe(10);
    expect(withRunning).toBeGreaterThan(finishedOnly);
    // Fewer than half known to have ended: the longest time seen is the lower bound returned.
    expect(kaplanMeierMedian([run(0, 10), run(20), run(30), run(40)], 100)).toBe(80);
  });

  it('ignores arrivals at or after the query time and ends without a run time; NaN when nothing is left', () => {
    expect(kaplanMeierMedian([run(100), run(0, 50, false)], 100)).toBeNaN();
    expect(kaplanMeierMedian([run(0, 40), run(150)], 100)).toBe(40);
  });
});

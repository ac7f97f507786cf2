import { seededRng } from '../model/clock';
import { TraceParseError } from '../model/errors';
import { makeTask } from '../model/task.factory';
import { ALIBABA_MACHINE, alibabaToTasks, parseAlibabaBatchTasks } from './alibaba2017.trace';
import { HistoryDurationEstimator } from './duration-estimator';
import { syntheticWorkload } from './synthetic.trace';

const HEADER = 'task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem';
const GOOD = '0,10,1,1,2,Terminated,100,0.1';

describe('Alibaba 2017 batch_task.csv adapter', () => {
  const bad = [
    ['non-numeric', 'abc,10,1,2,2,Terminated,100,0.1', 'task_create_time', /task_create_time is not a number: "abc"/],
    ['missing-fields', '0,10,1,1', null, /expected 8 fields, got 4/],
    ['empty-field', ',10,1,1,2,Terminated,100,0.1', 'task_create_time', /task_create_time is empty/],
    ['end-before-create', '50,10,1,1,2,Terminated,100,0.1', 'task_end_time', /before task_create_time/],
    ['plan-mem-out-of-range', '0,10,1,1,2,Terminated,100,3', 'plan_mem', /plan_mem must be in \[0, 1\]/],
    ['bad-instance-count', '0,10,1,1,2.5,Terminated,100,0.1', 'instance_num', /instance_num must be a non-negative integer/],
    ['negative-plan-cpu', '0,10,1,1,2,Terminated,-5,0.1', 'plan_cpu', /plan_cpu is negative/],
  ] as const;

  it.each(bad)('a %s row is skipped and counted; the rest of the file is read', (reason, row, field, message) => {
    const r = parseAlibabaBatchTasks([HEADER, GOOD, row, GOOD.replace(',1,2,', ',3,2,')].join('\n'), 'bad.csv');
    expect(r.rows.map((x) => x.line)).toEqual([2, 4]);
    expect(r.dataLines).toBe(3);
    expect(r.skipped[reason]).toBe(1);
    expect(r.skippedTotal).toBe(1);
    expect(r.examples).toEqual([{ line: 3, reason, field, message: expect.stringMatching(/^bad\.csv:3: /) }]);
    expect(r.examples[0]?.message).toMatch(message);
  });

  it.each(bad)('with strict, a %s row fails with file:line and the field', (_reason, row, field, message) => {
    let err: unknown;
    try {
      parseAlibabaBatchTasks([HEADER, GOOD, row].join('\n'), 'bad.csv', { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceParseError);
    expect((err as TraceParseError).line).toBe(3);
    expect((err as TraceParseError).field).toBe(field ?? undefined);
    expect((err as TraceParseError).message).toMatch(/^bad\.csv:3: /);
    expect((err as TraceParseError).message).toMatch(message);
  });

  it('counts several bad rows by reason', () => {
    const text = [HEADER, GOOD, 'x,1,1,1,1,Terminated,1,0.1', '9,1,1,1,1,Terminated,1,0.1', '5,2,1,1,1,Terminated,1,0.1', '1,2'].join('\n');
    const r = parseAlibabaBatchTasks(text, 'f.csv');
    expect(r.rows).toHaveLength(1);
    expect(r.skipped).toMatchObject({ 'non-numeric': 1, 'end-before-create': 2, 'missing-fields': 1 });
    expect(r.skippedTotal).toBe(4);
  });

  it('a zero-length task (end = create) is valid: kept, and replayed as a 1 s task', () => {
    const r = parseAlibabaBatchTasks([HEADER, '7,7,1,1,3,Terminated,100,0.1'].join('\n'), 'zero.csv', { strict: true });
    expect(r.skippedTotal).toBe(0);
    expect(alibabaToTasks(r.rows).map((t) => [t.id, t.duration.actual, t.instances])).toEqual([['1/1', 1, 3]]);
  });

  it('a header without a required column fails the file (nothing could be read), strict or not', () => {
    const text = 'task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu\n1,2,3,4,5,Terminated,100';
    expect(() => parseAlibabaBatchTasks(text, 'h.csv')).toThrow(/^h\.csv:1: missing column\(s\): plan_mem/);
  });

  it('keeps only Terminated rows, fills empty plan_cpu/plan_mem with medians, maps units, attaches no predictions', () => {
    const text = [
      HEADER,
      '0,100,J1,1,4,Terminated,50,0.5',
      '0,,J1,2,4,Running,50,0.5',
      '10,30,J2,3,2,Terminated,,',
      '20,80,J3,4,1,Terminated,200,0.25',
      '25,90,J3,5,1,Failed,200,0.25',
    ].join('\n');
    const tasks = alibabaToTasks(parseAlibabaBatchTasks(text, 'ok.csv').rows);
    expect(tasks.map((t) => t.id)).toEqual(['J1/1', 'J2/3', 'J3/4']);
    const [a, b] = tasks;
    expect(a?.request.cpuMillis).toBe(500);
    expect(a?.request.memMb).toBeCloseTo(0.5 * ALIBABA_MACHINE.memMb);
    expect(a?.instances).toBe(4);
    expect(a?.duration).toEqual({ actual: 100 });
    // medians of non-empty rows: cpu {50, 200} → 200 (upper median), mem {0.5, 0.25} → 0.5
    expect(b?.request.cpuMillis).toBe(2000);
    expect(b?.duration.actual).toBe(20);
  });
});

describe('history duration estimator', () => {
  it('job first (geometric mean), then shape (≥ 3 tasks), then global, then the prior', () => {
    const e = new HistoryDurationEstimator(120);
    const t = (id: string, jobId: string, instances = 1) => makeTask({ id, jobId, instances, request: { cpuMillis: 1000, memMb: 1024 } });
    expect(e.predict(t('q', 'A'), 0).source).toBe('prior');
    e.observe(t('a1', 'A'), 100, 100);
    e.observe(t('a2', 'A'), 10, 110);
    const p = e.predict(t('q', 'A'), 200);
    expect(p.source).toBe('job');
    expect(p.predicted).toBeCloseTo(Math.sqrt(100 * 10), 9);
    expect(e.predict(t('q', 'B'), 200).source).toBe('global'); // same shape, but only 2 tasks' worth
    e.observe(t('c1', 'C'), 1000, 300);
    expect(e.predict(t('q', 'B'), 300).source).toBe('shape');
    expect(e.predict(t('q', 'B'), 300).predicted).toBeCloseTo(Math.cbrt(100 * 10 * 1000), 9);
  });

  it('a task counts once however many instances it has (each instance weighs 1 / instances)', () => {
    const e = new HistoryDurationEstimator();
    const big = makeTask({ id: 'big', jobId: 'A', instances: 4 });
    for (const run of [10, 10, 10, 10]) e.observe(big, run, 0);
    e.observe(makeTask({ id: 'small', jobId: 'B' }), 1000, 0);
    // global log-mean = (log 10 + log 1000) / 2 → geometric mean 100
    expect(e.predict(makeTask({ id: 'q', jobId: 'Z', request: { cpuMillis: 1 } }), 0).predicted).toBeCloseTo(100, 9);
  });

  it('clone() is independent', () => {
    const e = new HistoryDurationEstimator();
    e.observe(makeTask({ id: 'a', jobId: 'A' }), 10, 0);
    const c = e.clone();
    c.observe(makeTask({ id: 'b', jobId: 'A' }), 1000, 0);
    expect(e.predict(makeTask({ id: 'q', jobId: 'A' }), 0).predicted).toBeCloseTo(10, 9);
    expect(c.predict(makeTask({ id: 'q', jobId: 'A' }), 0).predicted).toBeCloseTo(100, 9);
  });

  it('synthetic workload is reproducible for a seed', () => {
    expect(syntheticWorkload({ tasks: 20, rng: seededRng(2) })).toEqual(syntheticWorkload({ tasks: 20, rng: seededRng(2) }));
  });
});

import { seededRng } from '../model/clock';
import { TraceParseError } from '../model/errors';
import { ALIBABA_MACHINE, alibabaToTasks, parseAlibabaBatchTasks, sizeCluster } from './alibaba2017.trace';
import { causalPredictions } from './duration-estimator';
import { syntheticWorkload } from './synthetic.trace';

const HEADER = 'task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem';

describe('Alibaba 2017 batch_task.csv adapter', () => {
  it.each([
    ['missing column', 'task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu\n1,2,3,4,5,Terminated,100', 1, /missing column\(s\): plan_mem/],
    ['non-numeric', `${HEADER}\n0,10,1,1,2,Terminated,100,0.1\nabc,10,1,2,2,Terminated,100,0.1`, 3, /task_create_time is not a number: "abc"/],
    ['short row', `${HEADER}\n0,10,1,1`, 2, /expected 8 fields, got 4/],
    ['end before create', `${HEADER}\n50,10,1,1,2,Terminated,100,0.1`, 2, /before task_create_time/],
    ['memory out of range', `${HEADER}\n0,10,1,1,2,Terminated,100,3`, 2, /plan_mem must be in \[0, 1\]/],
    ['fractional instances', `${HEADER}\n0,10,1,1,2.5,Terminated,100,0.1`, 2, /instance_num must be a non-negative integer/],
  ])('%s fails with file, line and reason', (_label, text, line, reason) => {
    let err: unknown;
    try {
      parseAlibabaBatchTasks(text, 'bad.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceParseError);
    expect((err as TraceParseError).line).toBe(line);
    expect((err as TraceParseError).message).toMatch(new RegExp(`^bad\\.csv:${line}: `));
    expect((err as TraceParseError).message).toMatch(reason);
  });

  it('keeps only Terminated rows, fills empty plan_cpu/plan_mem with medians, maps units', () => {
    const text = [
      HEADER,
      '0,100,J1,1,4,Terminated,50,0.5',
      '0,,J1,2,4,Running,50,0.5',
      '10,30,J2,3,2,Terminated,,',
      '20,80,J3,4,1,Terminated,200,0.25',
      '25,90,J3,5,1,Failed,200,0.25',
    ].join('\n');
    const tasks = alibabaToTasks(parseAlibabaBatchTasks(text, 'ok.csv'));
    expect(tasks.map((t) => t.id)).toEqual(['J1/1', 'J2/3', 'J3/4']);
    const [a, b] = tasks;
    expect(a?.request.cpuMillis).toBe(500);
    expect(a?.request.memMb).toBeCloseTo(0.5 * ALIBABA_MACHINE.memMb);
    expect(a?.instances).toBe(4);
    expect(a?.duration.actual).toBe(100);
    // medians of non-empty rows: cpu {50, 200} → 200 (upper median), mem {0.5, 0.25} → 0.5
    expect(b?.request.cpuMillis).toBe(2000);
    expect(b?.duration.actual).toBe(20);
  });

  it('predictions are causal: only tasks that ended before arrival inform them', () => {
    const rows = [
      { jobId: 'A', arrival: 0, end: 100, cpu: 100, mem: 0.1, instances: 1 },
      { jobId: 'A', arrival: 50, end: 60, cpu: 100, mem: 0.1, instances: 1 },
      { jobId: 'A', arrival: 200, end: 210, cpu: 100, mem: 0.1, instances: 1 },
    ];
    const p = causalPredictions(rows, 120);
    expect(p[0]?.source).toBe('prior');
    expect(p[1]?.source).toBe('prior'); // task 0 has not ended at t=50
    expect(p[2]?.source).toBe('job');
    expect(p[2]?.predicted).toBeCloseTo(Math.sqrt(100 * 10), 6); // geometric mean of 100 and 10
  });

  it('sizes the largest cluster whose in-window offered load is still at least the target', () => {
    const tasks = syntheticWorkload({ tasks: 300, rng: seededRng(2) });
    const { nodes, offeredLoad } = sizeCluster(tasks, 0.9, ALIBABA_MACHINE);
    expect(offeredLoad).toBeGreaterThanOrEqual(0.9);
    expect(nodes.length).toBeGreaterThanOrEqual(1);
    // One node more would take the offered load below the target.
    expect((offeredLoad * nodes.length) / (nodes.length + 1)).toBeLessThan(0.9);
  });
});

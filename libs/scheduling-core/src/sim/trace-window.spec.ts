import { makeTask } from '../model/task.factory';
import { HistoryDurationEstimator } from '../traces/duration-estimator';
import { capInstances, observeHistory, parseWindowSpec, resolveWindow, sampleJobs, selectArrivalWindow, splitByArrival } from './trace-window';

const tasks = [0, 10, 20, 30, 40].map((a, i) => makeTask({ id: `t${i}`, jobId: `j${i}`, arrival: a, instances: i * 30 + 1 }));

describe('trace windows, instance cap, job sample and time split', () => {
  it.each([
    ['100:200', { unit: 'seconds', from: 100, to: 200 }],
    [':200', { unit: 'seconds', from: undefined, to: 200 }],
    ['50%:100%', { unit: 'percent', from: 50, to: 100 }],
    ['25%:', { unit: 'percent', from: 25, to: undefined }],
  ])('parses %s', (text, spec) => {
    expect(parseWindowSpec(text)).toEqual(spec);
  });

  it.each(['100', '10%:200', '5:abc', '200:100', '50%:150%'])('rejects %s with a message naming the window', (text) => {
    expect(() => parseWindowSpec(text)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`window "${text}"`) }));
  });

  it('percent windows are fractions of the arrival span; 100% includes the last arrival', () => {
    expect(resolveWindow(parseWindowSpec('50%:100%'), tasks)).toEqual({ start: 20, end: Infinity });
    expect(selectArrivalWindow(tasks, resolveWindow(parseWindowSpec('25%:75%'), tasks)).map((t) => t.id)).toEqual(['t1', 't2']);
    expect(selectArrivalWindow(tasks, resolveWindow(parseWindowSpec('10:30'), tasks)).map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('caps instances per task', () => {
    expect(capInstances(tasks, 64).map((t) => t.instances)).toEqual([1, 31, 61, 64, 64]);
    expect(capInstances(tasks, 0).map((t) => t.instances)).toEqual([1, 31, 61, 91, 121]);
    expect(() => capInstances(tasks, -1)).toThrow(/instance cap/);
  });

  it('samples whole jobs by hash, deterministically', () => {
    const many = Array.from({ length: 2000 }, (_, i) => makeTask({ id: `x${i}`, jobId: `job${i % 400}` }));
    const kept = sampleJobs(many, 0.25);
    const jobs = new Set(kept.map((t) => t.jobId));
    expect(jobs.size).toBeGreaterThan(70);
    expect(jobs.size).toBeLessThan(130);
    // whole jobs: every kept job keeps all 5 of its tasks
    expect(kept.length).toBe(jobs.size * 5);
    expect(sampleJobs(many, 0.25)).toEqual(kept);
  });

  it('splits by arrival time at first + f × span', () => {
    const s = splitByArrival(tasks, 0.5);
    expect(s.splitAt).toBe(20);
    expect(s.earlier.map((t) => t.id)).toEqual(['t0', 't1']);
    expect(s.later.map((t) => t.id)).toEqual(['t2', 't3', 't4']);
    expect(() => splitByArrival(tasks, 1)).toThrow(/train fraction/);
  });

  it('history warm-up feeds only tasks that ended in the trace before the replay starts', () => {
    const hist = [makeTask({ id: 'h1', jobId: 'J', arrival: 0, actual: 50 }), makeTask({ id: 'h2', jobId: 'K', arrival: 10, actual: 500 })];
    const p = new HistoryDurationEstimator(120);
    expect(observeHistory(p, hist, { sigma: 0, seed: 1 }, 100)).toBe(1); // h2 ends at 510
    const j = p.predict(makeTask({ id: 'n', jobId: 'J' }), 100);
    expect(j.source).toBe('job');
    expect(j.predicted).toBeCloseTo(50, 9);
    expect(p.predict(makeTask({ id: 'm', jobId: 'K' }), 100).source).toBe('global');
  });
});

import type { Task } from '../model/task.model';

/**
 * What the executor gets from the analyzer, as a port: an estimate when a task becomes runnable
 * (queue time) and, at every instance's end, the run time it observed. The simulator drives it the
 * same way, in SIMULATED time: a task still queued or running in the replay has told it nothing,
 * whatever the trace says about when that task ended.
 */
export interface DurationPredictor {
  /** The estimate for `task`, which became runnable at `now`. */
  predict(task: Task, now: number): Prediction;
  /** One instance of `task` finished successfully at `now` after running `runSeconds`. */
  observe(task: Task, runSeconds: number, now: number): void;
}

export interface Prediction {
  /** Central estimate of one instance's run time (seconds): the geometric mean of what it learnt from. */
  readonly predicted: number;
  /** Spread (seconds) of a lognormal with that log-mean and log-variance. */
  readonly std: number;
  readonly source: 'job' | 'shape' | 'global' | 'prior';
}

interface Stat {
  w: number;
  s: number;
  s2: number;
}

const add = (st: Stat, x: number, w: number): void => {
  st.w += w;
  st.s += w * x;
  st.s2 += w * x * x;
};

/** Tasks with a similar resource and instance shape (log2 buckets). */
export function shapeKey(t: Pick<Task, 'request' | 'instances'>): string {
  const cpu = Math.round(Math.log2(Math.max(1, t.request.cpuMillis)));
  const mem = Math.round(Math.log2(Math.max(1, t.request.memMb)) * 2);
  const inst = Math.round(Math.log2(Math.max(1, t.instances)));
  return `${cpu}|${mem}|${inst}`;
}

function fromStat(st: Stat, source: Prediction['source']): Prediction {
  const mean = st.s / st.w;
  // Less than three tasks' worth of evidence: widen the spread (the estimate is a guess).
  const variance = Math.max(0, st.s2 / st.w - mean * mean) + (st.w < 3 ? 0.5 : 0);
  const predicted = Math.exp(mean);
  return { predicted, std: predicted * Math.sqrt(Math.max(0, Math.exp(variance) - 1)), source };
}

/**
 * History estimator used by the replay: log-space mean of observed run times of the same job's
 * finished instances, else of tasks with a similar (cpu, mem, instances) shape (≥ 3 tasks' worth),
 * else of everything, else a prior. Each observed instance weighs 1 / (its task's instances), so a
 * task counts once however many instances it has. Online: it learns only from `observe`.
 */
export class HistoryDurationEstimator implements DurationPredictor {
  private readonly job = new Map<string, Stat>();
  private readonly shape = new Map<string, Stat>();
  private global: Stat = { w: 0, s: 0, s2: 0 };

  constructor(private readonly prior = 120) {}

  predict(task: Task, now: number): Prediction {
    void now;
    const js = this.job.get(task.jobId);
    if (js) return fromStat(js, 'job');
    const ss = this.shape.get(shapeKey(task));
    if (ss && ss.w >= 3 - 1e-9) return fromStat(ss, 'shape');
    if (this.global.w > 0) return fromStat(this.global, 'global');
    return { predicted: this.prior, std: this.prior, source: 'prior' };
  }

  observe(task: Task, runSeconds: number, now: number): void {
    void now;
    const x = Math.log(Math.max(1, runSeconds));
    const w = 1 / Math.max(1, task.instances);
    const k = shapeKey(task);
    let js = this.job.get(task.jobId);
    if (!js) this.job.set(task.jobId, (js = { w: 0, s: 0, s2: 0 }));
    let ss = this.shape.get(k);
    if (!ss) this.shape.set(k, (ss = { w: 0, s: 0, s2: 0 }));
    add(js, x, w);
    add(ss, x, w);
    add(this.global, x, w);
  }

  /** An independent copy (warm it once on history, clone it for every replay). */
  clone(): HistoryDurationEstimator {
    const c = new HistoryDurationEstimator(this.prior);
    for (const [k, v] of this.job) c.job.set(k, { ...v });
    for (const [k, v] of this.shape) c.shape.set(k, { ...v });
    c.global = { ...this.global };
    return c;
  }
}

import { TraceTask, hasRealDuration } from './alibaba-trace.parser';
import { CausalBaselineState, SortedBag, shapeKeyOf, type CausalBaselineOptions } from './causal-baselines';

/**
 * Duration features (seed 000): the task's requests and instance count, its queue (the job it belongs
 * to), time of day, the recent history of similar tasks (same job, then same request signature) and
 * cluster load. Everything is computed from what is known at the task's create time: a completion is
 * only visible once its end time ≤ now, so there is no look-ahead.
 */
export const DURATION_FEATURE_NAMES = [
  'log_instances',
  'plan_cpu',
  'plan_mem',
  'hour_of_day',
  'log_job_tasks_seen',
  'log_job_age_s',
  'log_job_done',
  'job_done_mean_log_dur',
  'job_done_last_log_dur',
  'job_done_max_log_dur',
  'log_job_running',
  'job_running_max_log_elapsed',
  'log_sig_done',
  'sig_done_mean_log_dur',
  'global_recent_mean_log_dur',
  'log_cluster_running_tasks',
  'log_cluster_running_instances',
  'log_cluster_running_cpu',
  'log_arrivals_10min',
  'log_job_same_instant',
  'log_total_cpu',
  'inst_bucket_mean_log_dur',
  'global_recent_mean_log_dur_per_instance',
  'log_submission_tasks',
  'log_submission_instances',
  'log_submission_max_instances',
  // Appended (2026-11-23); indices of the features above are unchanged.
  'job_prev_submission_log_gap',
  'log_job_submission_index',
  'job_done_median_log_dur',
  'job_nearest_instances_log_dur',
  'job_done_min_log_dur',
  'sig_done_median_log_dur',
  'global_recent_median_log_dur',
  'log_since_job_last_done',
  'instance_share_of_submission',
  'job_prev_submission_max_log_dur',
  'log_submission_rank',
  'submission_rank_frac',
  'log_submission_instances_before',
  'log_submission_prev_instances',
  'log_submission_tasks_after',
  'submission_sum_log_instances_before',
  'log_submission_max_instances_before',
  'log_submission_next_instances',
  'log_shape_done',
  'shape_done_mean_log_dur',
  // Appended (issue 16): the causal baselines as inputs, more job context and replayed queue state.
  'shape_median_log_dur',
  'log_shape_count',
  'shape_p90_log_dur',
  'shape_recent_median_log_dur',
  'global_median_log_dur',
  'job_finished_share',
  'log_job_waiting',
  'log_cluster_running_mem',
  'log_arrival_instances_10min',
  'log_finished_10min',
  'template_median_log_dur',
  'log_template_count',
  'template_coarse_median_log_dur',
  'log_template_coarse_count',
  'shape_km_median_log_dur',
  'log_shape_running',
  'shape_running_max_log_elapsed',
  'template_km_median_log_dur',
  'log_template_running',
  'template_running_max_log_elapsed',
] as const;
export type DurationFeatureName = (typeof DURATION_FEATURE_NAMES)[number];

/**
 * Feature groups for the ablation in `bench duration` (one group removed at a time). "submission" is the
 * job's DAG position (what was submitted together, and this task's place in it); "queue" is replayed
 * cluster state (tasks arrived and not yet finished, arrivals and completions in the last 10 minutes).
 */
export const DURATION_FEATURE_GROUPS = {
  requests: ['log_instances', 'plan_cpu', 'plan_mem', 'log_total_cpu'],
  time: ['hour_of_day'],
  job: [
    'log_job_tasks_seen',
    'log_job_age_s',
    'log_job_done',
    'job_done_mean_log_dur',
    'job_done_last_log_dur',
    'job_done_max_log_dur',
    'log_job_running',
    'job_running_max_log_elapsed',
    'log_job_same_instant',
    'job_prev_submission_log_gap',
    'log_job_submission_index',
    'job_done_median_log_dur',
    'job_nearest_instances_log_dur',
    'job_done_min_log_dur',
    'log_since_job_last_done',
    'job_prev_submission_max_log_dur',
    'job_finished_share',
    'log_job_waiting',
  ],
  submission: [
    'log_submission_tasks',
    'log_submission_instances',
    'log_submission_max_instances',
    'instance_share_of_submission',
    'log_submission_rank',
    'submission_rank_frac',
    'log_submission_instances_before',
    'log_submission_prev_instances',
    'log_submission_tasks_after',
    'submission_sum_log_instances_before',
    'log_submission_max_instances_before',
    'log_submission_next_instances',
  ],
  queue: [
    'log_cluster_running_tasks',
    'log_cluster_running_instances',
    'log_cluster_running_cpu',
    'log_arrivals_10min',
    'log_cluster_running_mem',
    'log_arrival_instances_10min',
    'log_finished_10min',
  ],
  similar: [
    'log_sig_done',
    'sig_done_mean_log_dur',
    'inst_bucket_mean_log_dur',
    'sig_done_median_log_dur',
    'log_shape_done',
    'shape_done_mean_log_dur',
    'shape_median_log_dur',
    'log_shape_count',
    'shape_p90_log_dur',
    'shape_recent_median_log_dur',
    'template_median_log_dur',
    'log_template_count',
    'template_coarse_median_log_dur',
    'log_template_coarse_count',
  ],
  /**
   * The latest arrivals of the same exact shape and of the same submission template, finished or still
   * running: a Kaplan–Meier median that counts the running ones as censored at their elapsed time (finished
   * durations alone are biased towards short tasks, since long ones finish last), how many still run and for
   * how long the oldest has.
   */
  running: ['shape_km_median_log_dur', 'log_shape_running', 'shape_running_max_log_elapsed', 'template_km_median_log_dur', 'log_template_running', 'template_running_max_log_elapsed'],
  cluster: ['global_recent_mean_log_dur', 'global_recent_mean_log_dur_per_instance', 'global_recent_median_log_dur', 'global_median_log_dur'],
} as const satisfies Record<string, readonly DurationFeatureName[]>;
export type DurationFeatureGroup = keyof typeof DURATION_FEATURE_GROUPS;
export const DURATION_FEATURE_COUNT = DURATION_FEATURE_NAMES.length;

/** Per-step features of the history sequence the LSTM reads. */
export const HISTORY_STEP_FEATURES = ['from_job', 'from_signature', 'log_dur', 'log_instances', 'cpu', 'mem', 'log_age_s'] as const;
export const HISTORY_STEP_COUNT = HISTORY_STEP_FEATURES.length;

/** What the scheduler knows about a task when it asks for a prediction. */
export interface DurationTaskSpec {
  readonly queue: string;
  readonly instanceNum: number;
  readonly planCpu: number | null;
  readonly planMem: number | null;
  readonly createTime: number;
  /**
   * What was submitted together with this task (same job, same instant), when the caller knows it:
   * task count, total and largest instance count. The trace gives it as rows sharing job and create time.
   */
  readonly submission?: {
    readonly tasks: number;
    readonly instances: number;
    readonly maxInstances: number;
    /**
     * This task's position among the submission's tasks ordered by task id (0 = first), when known. In the
     * Alibaba 2017 trace a job's tasks are created together and their ids follow the job's stage order, so
     * later ids tend to wait for earlier ones; a live scheduler knows the same from the job's DAG.
     */
    readonly rank?: number;
    /** Total instance count of the tasks before this one in that order. */
    readonly instancesBefore?: number;
    /** Instance count of the task just before this one in that order. */
    readonly prevInstances?: number;
    /** Σ log1p(instances) and the largest instance count over the tasks before this one in that order. */
    readonly sumLogInstancesBefore?: number;
    readonly maxInstancesBefore?: number;
    /** Instance count of the task just after this one in that order. */
    readonly nextInstances?: number;
    /**
     * The submission's template: its tasks' shapes (plan_cpu|plan_mem|instances) in task-id order, plus this
     * task's rank. Recurring jobs resubmit the same template, so earlier finished tasks with the same template
     * and rank are the most similar history there is. `coarseTemplate` leaves the other tasks' instance counts out.
     */
    readonly template?: string;
    readonly coarseTemplate?: string;
  };
}

interface Completion {
  readonly endTime: number;
  readonly duration: number;
  readonly instanceNum: number;
  readonly planCpu: number | null;
  readonly planMem: number | null;
  /** When the completed task was created (its submission). */
  readonly createTime: number;
}

interface JobState {
  firstCreate: number;
  tasksSeen: number;
  lastCreate: number;
  sameInstant: number;
  done: Completion[];
  doneLogSum: number;
  doneLogMax: number;
  runningCreates: number[];
  /** Distinct create times (submissions) seen so far, and the one before the latest. */
  submissions: number;
  prevCreate: number;
}

const MISSING = -1;
const KEEP_DONE_PER_KEY = 64;
/** Latest arrivals per shape / template kept for the censored (Kaplan–Meier) features. */
const KEEP_ARRIVALS_PER_KEY = 50;

/** One recent arrival of a shape or template: `end` NaN while it runs; `real` false for an end without a run time. */
interface RecentArrival {
  readonly create: number;
  end: number;
  real: boolean;
}

/**
 * Kaplan–Meier median of durations where the arrivals still running at `t` are censored at their elapsed
 * time (arrivals ended without a real run time are left out). When fewer than half are known to have ended
 * by the longest time seen, the median is at least that time, which is returned (a lower bound). NaN if none.
 */
export function kaplanMeierMedian(arrivals: readonly RecentArrival[], t: number): number {
  const times: number[] = [];
  const events: number[] = [];
  for (const a of arrivals) {
    if (a.create >= t) continue;
    if (Number.isNaN(a.end)) {
      times.push(t - a.create);
      events.push(0);
    } else if (a.real) {
      times.push(Math.max(0, a.end - a.create));
      events.push(1);
    }
  }
  const n = times.length;
  if (n === 0) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a] - times[b] || events[b] - events[a]);
  let atRisk = n;
  let survival = 1;
  let k = 0;
  while (k < n) {
    const time = times[order[k]];
    let deaths = 0;
    let leaving = 0;
    while (k < n && times[order[k]] === time) {
      deaths += events[order[k]];
      leaving++;
      k++;
    }
    if (deaths > 0) {
      survival *= 1 - deaths / atRisk;
      if (survival <= 0.5) return time;
    }
    atRisk -= leaving;
  }
  return times[order[n - 1]];
}
const SIG_MEAN_WINDOW = 20;
const GLOBAL_WINDOW = 50;
/** The arrival-rate window of the features (seconds). */
const ARRIVAL_WINDOW_SEC = 600;

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function medianOf(xs: readonly number[]): number {
  const a = Float64Array.from(xs).sort();
  const m = a.length >>> 1;
  return a.length % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Submission shape key: (tasks submitted together, this task's rank, instance bucket), capped; null if unknown. */
function shapeOf(spec: DurationTaskSpec): string | null {
  const sub = spec.submission;
  if (sub?.rank === undefined) return null;
  return `${Math.min(sub.tasks, 12)}|${Math.min(sub.rank, 12)}|${instanceBucket(spec.instanceNum)}`;
}

function instanceBucket(instanceNum: number): number {
  return Math.round(2 * Math.log2(1 + instanceNum));
}

export function signatureOf(t: { planCpu: number | null; planMem: number | null; instanceNum: number }): string {
  const cpu = t.planCpu ?? -1;
  const mem = t.planMem === null ? -1 : Math.round(t.planMem * 1000);
  const inst = Math.round(Math.log2(1 + t.instanceNum));
  return `${cpu}|${mem}|${inst}`;
}

/**
 * Streaming feature state. Feed arrivals, starts and completions in time order (the live analyzer feeds
 * task events; the trace sweep below feeds the replay) and ask for features at a task's create time.
 */
export class DurationFeatureState {
  private readonly jobs = new Map<string, JobState>();
  private readonly sigDone = new Map<string, Completion[]>();
  private readonly global: number[] = [];
  private globalLogSum = 0;
  private readonly globalPerInst: number[] = [];
  private globalPerInstSum = 0;
  private readonly instBucketDone = new Map<number, number[]>();
  private readonly shapeDone = new Map<string, number[]>();
  private readonly templateDone = new Map<string, SortedBag>();
  /** Latest arrivals per exact shape (`s:`) and per submission template (`t:`), for the censored features. */
  private readonly recentArrivals = new Map<string, RecentArrival[]>();
  private runningTasks = 0;
  private runningInstances = 0;
  private runningCpu = 0;
  private runningMem = 0;
  private readonly arrivals: number[] = [];
  private readonly arrivalInstances: number[] = [];
  private arrivalsHead = 0;
  private arrivalInstancesInWindow = 0;
  private readonly endTimes: number[] = [];
  private endsHead = 0;
  /** The causal median / moving-average / upper-quantile lookups, fed with the same completions. */
  readonly baselines: CausalBaselineState;

  constructor(
    readonly historyLength = 16,
    baselineOptions: Partial<CausalBaselineOptions> = {},
  ) {
    this.baselines = new CausalBaselineState(baselineOptions);
  }

  private job(queue: string, t: number): JobState {
    let j = this.jobs.get(queue);
    if (!j) {
      j = {
        firstCreate: t,
        tasksSeen: 0,
        lastCreate: t,
        sameInstant: 0,
        done: [],
        doneLogSum: 0,
        doneLogMax: MISSING,
        runningCreates: [],
        submissions: 0,
        prevCreate: NaN,
      };
      this.jobs.set(queue, j);
    }
    return j;
  }

  /** A task has been submitted (counts toward its job and the arrival rate) and is now running. */
  observeArrival(spec: DurationTaskSpec): void {
    const j = this.job(spec.queue, spec.createTime);
    if (j.tasksSeen === 0 || j.lastCreate !== spec.createTime) {
      if (j.tasksSeen > 0) j.prevCreate = j.lastCreate;
      j.submissions++;
    }
    j.tasksSeen++;
    j.sameInstant = j.lastCreate === spec.createTime ? j.sameInstant + 1 : 1;
    j.lastCreate = spec.createTime;
    j.runningCreates.push(spec.createTime);
    for (const key of this.arrivalKeys(spec)) {
      let list = this.recentArrivals.get(key);
      if (!list) {
        list = [];
        this.recentArrivals.set(key, list);
      }
      list.push({ create: spec.createTime, end: NaN, real: false });
      if (list.length > KEEP_ARRIVALS_PER_KEY) list.shift();
    }
    this.compactWindows(spec.createTime);
    this.arrivals.push(spec.createTime);
    this.arrivalInstances.push(spec.instanceNum);
    this.arrivalInstancesInWindow += spec.instanceNum;
    this.runningTasks++;
    this.runningInstances += spec.instanceNum;
    this.runningCpu += spec.instanceNum * (spec.planCpu ?? 0);
    this.runningMem += spec.instanceNum * (spec.planMem ?? 0);
  }

  /** A task left the cluster; `realDuration` says whether its duration is a true run time. */
  observeEnd(spec: DurationTaskSpec, endTime: number, realDuration: boolean): void {
    const j = this.job(spec.queue, spec.createTime);
    const k = j.runningCreates.indexOf(spec.createTime);
    if (k >= 0) j.runningCreates.splice(k, 1);
    for (const key of this.arrivalKeys(spec)) {
      const a = this.recentArrivals.get(key)?.find((e) => e.create === spec.createTime && Number.isNaN(e.end));
      if (a) {
        a.end = endTime;
        a.real = realDuration;
      }
    }
    this.runningTasks--;
    this.runningInstances -= spec.instanceNum;
    this.runningCpu -= spec.instanceNum * (spec.planCpu ?? 0);
    this.runningMem -= spec.instanceNum * (spec.planMem ?? 0);
    this.compactWindows(endTime);
    this.endTimes.push(endTime);
    if (!realDuration) return;
    const duration = Math.max(0, endTime - spec.createTime);
    this.baselines.observe({ jobId: spec.queue, instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem }, duration);
    const c: Completion = { endTime, duration, instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem, createTime: spec.createTime };
    const ld = Math.log1p(duration);
    j.done.push(c);
    j.doneLogSum += ld;
    j.doneLogMax = Math.max(j.doneLogMax, ld);
    if (j.done.length > KEEP_DONE_PER_KEY) j.done.shift();
    const sig = signatureOf(spec);
    let s = this.sigDone.get(sig);
    if (!s) {
      s = [];
      this.sigDone.set(sig, s);
    }
    s.push(c);
    if (s.length > KEEP_DONE_PER_KEY) s.shift();
    this.global.push(ld);
    this.globalLogSum += ld;
    if (this.global.length > GLOBAL_WINDOW) this.globalLogSum -= this.global.shift() ?? 0;
    const pi = ld - Math.log1p(spec.instanceNum);
    this.globalPerInst.push(pi);
    this.globalPerInstSum += pi;
    if (this.globalPerInst.length > GLOBAL_WINDOW) this.globalPerInstSum -= this.globalPerInst.shift() ?? 0;
    const bucket = instanceBucket(spec.instanceNum);
    let b = this.instBucketDone.get(bucket);
    if (!b) {
      b = [];
      this.instBucketDone.set(bucket, b);
    }
    b.push(ld);
    if (b.length > SIG_MEAN_WINDOW) b.shift();
    for (const key of [spec.submission?.template, spec.submission?.coarseTemplate]) {
      if (key === undefined) continue;
      let bag = this.templateDone.get(key);
      if (!bag) {
        bag = new SortedBag(this.baselines.options.maxPerBag);
        this.templateDone.set(key, bag);
      }
      bag.add(duration);
    }
    const shape = shapeOf(spec);
    if (shape !== null) {
      let h = this.shapeDone.get(shape);
      if (!h) {
        h = [];
        this.shapeDone.set(shape, h);
      }
      h.push(ld);
      if (h.length > SIG_MEAN_WINDOW) h.shift();
    }
  }

  private arrivalKeys(spec: DurationTaskSpec): string[] {
    const keys = [`s:${shapeKeyOf({ instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem })}`];
    if (spec.submission?.template !== undefined) keys.push(`t:${spec.submission.template}`);
    return keys;
  }

  /** Kaplan–Meier median (log1p s), running count and oldest running elapsed (log1p s) of a key's latest arrivals. */
  private censoredFeatures(key: string | null, t: number, out: Float64Array, at: number): void {
    const list = key === null ? undefined : this.recentArrivals.get(key);
    const km = list ? kaplanMeierMedian(list, t) : NaN;
    let running = 0;
    let oldest = Infinity;
    if (list) {
      for (const a of list) {
        if (a.create < t && Number.isNaN(a.end)) {
          running++;
          if (a.create < oldest) oldest = a.create;
        }
      }
    }
    out[at] = Number.isNaN(km) ? MISSING : Math.log1p(km);
    out[at + 1] = Math.log1p(running);
    out[at + 2] = running > 0 ? Math.log1p(t - oldest) : MISSING;
  }

  /**
   * The 10-minute arrival and end windows: entries before `from` leave them (the arrays are compacted
   * once 4096 have left). features() moves the windows to its query time; observing moves them too,
   * with a slack of one more window for queries a little older than the newest event, so a replica that
   * never asks for features (no production model) does not keep every arrival and end forever.
   */
  private advanceWindows(from: number): void {
    while (this.arrivalsHead < this.arrivals.length && this.arrivals[this.arrivalsHead] < from) {
      this.arrivalInstancesInWindow -= this.arrivalInstances[this.arrivalsHead];
      this.arrivalsHead++;
    }
    if (this.arrivalsHead > 4096) {
      this.arrivals.splice(0, this.arrivalsHead);
      this.arrivalInstances.splice(0, this.arrivalsHead);
      this.arrivalsHead = 0;
    }
    while (this.endsHead < this.endTimes.length && this.endTimes[this.endsHead] < from) this.endsHead++;
    if (this.endsHead > 4096) {
      this.endTimes.splice(0, this.endsHead);
      this.endsHead = 0;
    }
  }

  private compactWindows(newest: number): void {
    this.advanceWindows(newest - 2 * ARRIVAL_WINDOW_SEC);
  }

  /** Arrivals and ends kept in memory (the windows plus what is not compacted yet): tests read it. */
  get windowEntries(): number {
    return this.arrivals.length + this.endTimes.length;
  }

  /** Completed durations of the same job, oldest first (bounded). */
  jobHistory(queue: string): readonly number[] {
    return (this.jobs.get(queue)?.done ?? []).map((c) => c.duration);
  }

  signatureHistory(spec: DurationTaskSpec): readonly number[] {
    return (this.sigDone.get(signatureOf(spec)) ?? []).map((c) => c.duration);
  }

  /** Tabular feature vector for `spec` at its create time; call after observing everything before it. */
  features(spec: DurationTaskSpec, out: Float64Array = new Float64Array(DURATION_FEATURE_COUNT)): Float64Array {
    const t = spec.createTime;
    const j = this.jobs.get(spec.queue);
    this.advanceWindows(t - ARRIVAL_WINDOW_SEC);
    const sig = this.sigDone.get(signatureOf(spec));
    let sigMean = MISSING;
    if (sig && sig.length > 0) {
      const from = Math.max(0, sig.length - SIG_MEAN_WINDOW);
      let s = 0;
      for (let i = from; i < sig.length; i++) s += Math.log1p(sig[i].duration);
      sigMean = s / (sig.length - from);
    }
    let runningMaxElapsed = MISSING;
    if (j && j.runningCreates.length > 0) {
      let minCreate = Infinity;
      for (const c of j.runningCreates) if (c < minCreate && c < t) minCreate = c;
      if (minCreate < Infinity) runningMaxElapsed = Math.log1p(t - minCreate);
    }
    const done = j ? j.done.length : 0;
    out[0] = Math.log1p(spec.instanceNum);
    out[1] = spec.planCpu ?? MISSING;
    out[2] = spec.planMem ?? MISSING;
    out[3] = (((t % 86400) + 86400) % 86400) / 3600;
    out[4] = Math.log1p(j ? j.tasksSeen : 0);
    out[5] = j ? Math.log1p(Math.max(0, t - j.firstCreate)) : MISSING;
    out[6] = Math.log1p(done);
    out[7] = j && done > 0 ? j.doneLogSum / done : MISSING;
    out[8] = j && done > 0 ? Math.log1p(j.done[done - 1].duration) : MISSING;
    out[9] = j && done > 0 ? j.doneLogMax : MISSING;
    out[10] = Math.log1p(j ? j.runningCreates.length : 0);
    out[11] = runningMaxElapsed;
    out[12] = Math.log1p(sig ? sig.length : 0);
    out[13] = sigMean;
    out[14] = this.global.length > 0 ? this.globalLogSum / this.global.length : MISSING;
    out[15] = Math.log1p(Math.max(0, this.runningTasks));
    out[16] = Math.log1p(Math.max(0, this.runningInstances));
    out[17] = Math.log1p(Math.max(0, this.runningCpu));
    out[18] = Math.log1p(this.arrivals.length - this.arrivalsHead);
    out[19] = Math.log1p(j && j.lastCreate === t ? j.sameInstant : 0);
    out[20] = Math.log1p(spec.instanceNum * (spec.planCpu ?? 0));
    const ib = this.instBucketDone.get(instanceBucket(spec.instanceNum));
    out[21] = ib && ib.length > 0 ? ib.reduce((a, v) => a + v, 0) / ib.length : MISSING;
    out[23] = spec.submission ? Math.log1p(spec.submission.tasks) : MISSING;
    out[24] = spec.submission ? Math.log1p(spec.submission.instances) : MISSING;
    out[25] = spec.submission ? Math.log1p(spec.submission.maxInstances) : MISSING;
    out[22] = this.globalPerInst.length > 0 ? this.globalPerInstSum / this.globalPerInst.length : MISSING;
    this.appendedFeatures(spec, j, sig, out);
    return out;
  }

  /** Features 26.. (see DURATION_FEATURE_NAMES): earlier submissions of the job and robust history summaries. */
  private appendedFeatures(spec: DurationTaskSpec, j: JobState | undefined, sig: readonly Completion[] | undefined, out: Float64Array): void {
    const t = spec.createTime;
    // The previous submission of the job: if this task's own submission was already observed, the one before it.
    const current = j !== undefined && j.tasksSeen > 0 && j.lastCreate === t;
    const prev = j === undefined || j.tasksSeen === 0 ? NaN : current ? j.prevCreate : j.lastCreate;
    out[26] = Number.isNaN(prev) ? MISSING : Math.log1p(Math.max(0, t - prev));
    out[27] = Math.log1p(j ? (current ? j.submissions - 1 : j.submissions) : 0);
    const done = j ? j.done : [];
    const logs = done.map((c) => Math.log1p(c.duration));
    out[28] = logs.length > 0 ? medianOf(logs) : MISSING;
    let nearest = MISSING;
    let best = Infinity;
    const li = Math.log1p(spec.instanceNum);
    for (let k = done.length - 1; k >= 0; k--) {
      const d = Math.abs(Math.log1p(done[k].instanceNum) - li);
      if (d < best) {
        best = d;
        nearest = logs[k];
      }
    }
    out[29] = nearest;
    out[30] = logs.length > 0 ? Math.min(...logs) : MISSING;
    if (sig && sig.length > 0) {
      const from = Math.max(0, sig.length - SIG_MEAN_WINDOW);
      out[31] = medianOf(sig.slice(from).map((c) => Math.log1p(c.duration)));
    } else out[31] = MISSING;
    out[32] = this.global.length > 0 ? medianOf(this.global) : MISSING;
    out[33] = done.length > 0 ? Math.log1p(Math.max(0, t - done[done.length - 1].endTime)) : MISSING;
    out[34] = spec.submission && spec.submission.instances > 0 ? spec.instanceNum / spec.submission.instances : MISSING;
    let prevMax = MISSING;
    if (!Number.isNaN(prev)) for (let k = 0; k < done.length; k++) if (done[k].createTime === prev) prevMax = Math.max(prevMax, logs[k]);
    out[35] = prevMax;
    const sub = spec.submission;
    const rank = sub?.rank;
    out[36] = rank === undefined ? MISSING : Math.log1p(rank);
    out[37] = rank === undefined || sub === undefined ? MISSING : sub.tasks > 1 ? rank / (sub.tasks - 1) : 0;
    out[38] = sub?.instancesBefore === undefined ? MISSING : Math.log1p(sub.instancesBefore);
    out[39] = sub?.prevInstances === undefined ? MISSING : Math.log1p(sub.prevInstances);
    out[40] = rank === undefined || sub === undefined ? MISSING : Math.log1p(Math.max(0, sub.tasks - 1 - rank));
    out[41] = sub?.sumLogInstancesBefore ?? MISSING;
    out[42] = sub?.maxInstancesBefore === undefined ? MISSING : Math.log1p(sub.maxInstancesBefore);
    out[43] = sub?.nextInstances === undefined ? MISSING : Math.log1p(sub.nextInstances);
    const shape = shapeOf(spec);
    const sh = shape === null ? undefined : this.shapeDone.get(shape);
    out[44] = Math.log1p(sh ? sh.length : 0);
    out[45] = sh && sh.length > 0 ? sh.reduce((a, v) => a + v, 0) / sh.length : MISSING;
    const b = this.baselines.estimate({ jobId: spec.queue, instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem });
    out[46] = b.shapeCount > 0 ? Math.log1p(b.medianShape) : MISSING;
    out[47] = Math.log1p(b.shapeCount);
    out[48] = b.shapeCount > 0 ? Math.log1p(b.upperShape) : MISSING;
    out[49] = b.shapeCount > 0 ? Math.log1p(b.medianShapeRecent) : MISSING;
    out[50] = b.finishedCount > 0 ? Math.log1p(b.globalMedian) : MISSING;
    out[51] = j && j.tasksSeen > 0 ? done.length / j.tasksSeen : 0;
    let waiting = 0;
    if (j) for (const c of j.runningCreates) if (c < t) waiting++;
    out[52] = Math.log1p(waiting);
    out[53] = Math.log1p(Math.max(0, this.runningMem));
    out[54] = Math.log1p(Math.max(0, this.arrivalInstancesInWindow));
    out[55] = Math.log1p(this.endTimes.length - this.endsHead);
    const tpl = sub?.template === undefined ? undefined : this.templateDone.get(sub.template);
    out[56] = tpl ? Math.log1p(tpl.quantile(0.5)) : MISSING;
    out[57] = Math.log1p(tpl?.size ?? 0);
    const coarse = sub?.coarseTemplate === undefined ? undefined : this.templateDone.get(sub.coarseTemplate);
    out[58] = coarse ? Math.log1p(coarse.quantile(0.5)) : MISSING;
    out[59] = Math.log1p(coarse?.size ?? 0);
    this.censoredFeatures(`s:${shapeKeyOf({ instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem })}`, t, out, 60);
    this.censoredFeatures(sub?.template === undefined ? null : `t:${sub.template}`, t, out, 63);
  }

  /** The causal baselines for `spec` at this moment (what `bench duration` and the deploy gate compare with). */
  baselineEstimate(spec: DurationTaskSpec): ReturnType<CausalBaselineState['estimate']> {
    return this.baselines.estimate({ jobId: spec.queue, instanceNum: spec.instanceNum, planCpu: spec.planCpu, planMem: spec.planMem });
  }

  /**
   * History sequence for the LSTM: the last `historyLength` completions of the same job (most recent
   * last), earlier slots filled from the same request signature, the rest zero. Row-major steps.
   */
  historySequence(spec: DurationTaskSpec, out: Float32Array = new Float32Array(this.historyLength * HISTORY_STEP_COUNT)): Float32Array {
    out.fill(0);
    const L = this.historyLength;
    const jobDone = this.jobs.get(spec.queue)?.done ?? [];
    const sigDone = this.sigDone.get(signatureOf(spec)) ?? [];
    let slot = L - 1;
    const put = (c: Completion, fromJob: boolean): void => {
      const o = slot * HISTORY_STEP_COUNT;
      out[o] = fromJob ? 1 : 0;
      out[o + 1] = fromJob ? 0 : 1;
      out[o + 2] = Math.log1p(c.duration);
      out[o + 3] = Math.log1p(c.instanceNum);
      out[o + 4] = (c.planCpu ?? 0) / 100;
      out[o + 5] = (c.planMem ?? 0) * 10;
      out[o + 6] = Math.log1p(Math.max(0, spec.createTime - c.endTime));
      slot--;
    };
    for (let i = jobDone.length - 1; i >= 0 && slot >= 0; i--) put(jobDone[i], true);
    for (let i = sigDone.length - 1; i >= 0 && slot >= 0; i--) put(sigDone[i], false);
    return out;
  }
}

/**
 * The causal baselines per row (seconds), computed at the same moments with the same visibility as the
 * features (see causal-baselines.ts for each definition).
 */
export interface BaselinePredictions {
  /** Moving average of the last k finished durations cluster-wide, per k. */
  readonly global: ReadonlyMap<number, Float64Array>;
  /** Moving average of the same shape's last k finished durations (else cluster-wide), per k. */
  readonly similar: ReadonlyMap<number, Float64Array>;
  readonly medianShape: Float64Array;
  readonly medianJob: Float64Array;
  readonly medianShapeRecent: Float64Array;
  /** Empirical upper quantile (p90) of the same shape's finished durations, else of all. */
  readonly upperShape: Float64Array;
}

export interface DurationDataset {
  readonly features: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** Seconds, for rows with a real duration only. */
  readonly durations: Float64Array;
  readonly createTimes: Float64Array;
  /** createTime + duration: when the outcome becomes known (online updates replay on it). */
  readonly endTimes: Float64Array;
  readonly jobIds: readonly string[];
  /** shapeKeyOf(task): (plan_cpu, plan_mem, instance_num). */
  readonly shapeKeys: readonly string[];
  readonly isTrain: Uint8Array;
  readonly sequences: Float32Array;
  readonly historyLength: number;
  readonly baselines: BaselinePredictions;
  readonly trainJobs: number;
  readonly testJobs: number;
  readonly splitTime: number;
}

export interface DatasetOptions {
  /** Fraction of jobs (ordered by first arrival) used for training. */
  readonly trainFraction: number;
  readonly historyLength: number;
  readonly baselineWindows: readonly number[];
}

export const DEFAULT_DATASET_OPTIONS: DatasetOptions = { trainFraction: 0.7, historyLength: 16, baselineWindows: [5, 20, 100] };

/** Orders tasks by id: numerically when both ids are integers, else as strings. */
export function compareTaskIds(a: { taskId: string }, b: { taskId: string }): number {
  const x = Number(a.taskId);
  const y = Number(b.taskId);
  if (a.taskId !== '' && b.taskId !== '' && Number.isInteger(x) && Number.isInteger(y)) return x - y;
  return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}

/**
 * Replays a trace in time order and emits one example per task with a real duration. Train/test split
 * is by job: the earliest `trainFraction` of jobs by first arrival train, the rest test. Causal: a task's
 * end is visible to arrivals strictly after its end time (task_end_time < arrival).
 */
export function buildDurationDataset(
  tasks: readonly TraceTask[],
  options: Partial<DatasetOptions> = {},
  onProgress?: (done: number, total: number) => void,
): DurationDataset {
  const opt: DatasetOptions = { ...DEFAULT_DATASET_OPTIONS, ...options };
  const sorted = tasks.map((t, i) => ({ t, i })).sort((a, b) => a.t.createTime - b.t.createTime || a.i - b.i).map((e) => e.t);
  const jobOrder: string[] = [];
  const firstSeen = new Set<string>();
  for (const t of sorted) {
    if (!firstSeen.has(t.jobId)) {
      firstSeen.add(t.jobId);
      jobOrder.push(t.jobId);
    }
  }
  const nTrainJobs = Math.round(jobOrder.length * opt.trainFraction);
  const trainJobs = new Set(jobOrder.slice(0, nTrainJobs));
  const splitJob = jobOrder[nTrainJobs];
  const splitTime = splitJob === undefined ? Infinity : (sorted.find((t) => t.jobId === splitJob)?.createTime ?? Infinity);

  const targets = sorted.filter(hasRealDuration);
  const rows = targets.length;
  const cols = DURATION_FEATURE_COUNT;
  const stepSize = opt.historyLength * HISTORY_STEP_COUNT;
  const features = new Float64Array(rows * cols);
  const durations = new Float64Array(rows);
  const createTimes = new Float64Array(rows);
  const endTimes = new Float64Array(rows);
  const jobIds: string[] = new Array<string>(rows);
  const shapeKeys: string[] = new Array<string>(rows);
  const isTrain = new Uint8Array(rows);
  const medianShape = new Float64Array(rows);
  const medianJob = new Float64Array(rows);
  const medianShapeRecent = new Float64Array(rows);
  const upperShape = new Float64Array(rows);
  const sequences = new Float32Array(rows * stepSize);
  const globalBl = new Map(opt.baselineWindows.map((k) => [k, new Float64Array(rows)]));
  const similarBl = new Map(opt.baselineWindows.map((k) => [k, new Float64Array(rows)]));

  const state = new DurationFeatureState(opt.historyLength, { maWindows: opt.baselineWindows });
  // Pending ends ordered by end time (binary-inserted; the sweep pops from the front).
  const ends: Array<{ end: number; task: TraceTask }> = [];
  let endHead = 0;
  const insertEnd = (task: TraceTask): void => {
    const end = Math.max(task.endTime, task.createTime);
    let lo = endHead;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid].end <= end) lo = mid + 1;
      else hi = mid;
    }
    ends.splice(lo, 0, { end, task });
  };
  // Rows of one job with the same create time were submitted together: known to the scheduler at that instant.
  const submissions = new Map<string, { tasks: number; instances: number; maxInstances: number }>();
  for (const t of sorted) {
    const key = `${t.jobId}@${t.createTime}`;
    const g = submissions.get(key) ?? { tasks: 0, instances: 0, maxInstances: 0 };
    g.tasks++;
    g.instances += t.instanceNum;
    g.maxInstances = Math.max(g.maxInstances, t.instanceNum);
    submissions.set(key, g);
  }
  // Position inside the submission by task id (known at the submission instant, like the counts above).
  const members = new Map<string, TraceTask[]>();
  for (const t of sorted) {
    const key = `${t.jobId}@${t.createTime}`;
    const m = members.get(key);
    if (m) m.push(t);
    else members.set(key, [t]);
  }
  const position = new Map<TraceTask, NonNullable<DurationTaskSpec['submission']>>();
  for (const m of members.values()) {
    m.sort(compareTaskIds);
    let before = 0;
    let sumLog = 0;
    let maxBefore = 0;
    const template = m.map((t) => shapeKeyOf(t)).join(';');
    const coarse = m.map((t) => `${t.planCpu ?? '-'}|${t.planMem ?? '-'}`).join(';');
    m.forEach((t, rank) => {
      position.set(t, {
        tasks: m.length,
        instances: 0,
        maxInstances: 0,
        rank,
        instancesBefore: before,
        prevInstances: rank > 0 ? m[rank - 1].instanceNum : undefined,
        sumLogInstancesBefore: sumLog,
        maxInstancesBefore: maxBefore,
        nextInstances: rank + 1 < m.length ? m[rank + 1].instanceNum : undefined,
        template: `${template}#${rank}`,
        coarseTemplate: `~${coarse}#${rank}#${t.instanceNum}`,
      });
      before += t.instanceNum;
      sumLog += Math.log1p(t.instanceNum);
      maxBefore = Math.max(maxBefore, t.instanceNum);
    });
  }
  const specOf = (t: TraceTask): DurationTaskSpec => {
    const g = submissions.get(`${t.jobId}@${t.createTime}`);
    return {
      queue: t.jobId,
      instanceNum: t.instanceNum,
      planCpu: t.planCpu,
      planMem: t.planMem,
      createTime: t.createTime,
      submission: g ? { ...position.get(t), ...g } : undefined,
    };
  };
  let row = 0;
  for (let n = 0; n < sorted.length; n++) {
    const task = sorted[n];
    const now = task.createTime;
    while (endHead < ends.length && ends[endHead].end < now) {
      const e = ends[endHead++];
      state.observeEnd(specOf(e.task), e.end, hasRealDuration(e.task));
    }
    if (endHead > 8192) {
      ends.splice(0, endHead);
      endHead = 0;
    }
    const spec = specOf(task);
    state.observeArrival(spec);
    if (hasRealDuration(task)) {
      state.features(spec, features.subarray(row * cols, (row + 1) * cols));
      state.historySequence(spec, sequences.subarray(row * stepSize, (row + 1) * stepSize));
      durations[row] = task.endTime - task.createTime;
      createTimes[row] = now;
      endTimes[row] = task.endTime;
      jobIds[row] = task.jobId;
      shapeKeys[row] = shapeKeyOf(task);
      isTrain[row] = trainJobs.has(task.jobId) ? 1 : 0;
      const b = state.baselineEstimate(spec);
      opt.baselineWindows.forEach((k, w) => {
        (globalBl.get(k) as Float64Array)[row] = b.maGlobal[w];
        (similarBl.get(k) as Float64Array)[row] = b.maShape[w];
      });
      medianShape[row] = b.medianShape;
      medianJob[row] = b.medianJob;
      medianShapeRecent[row] = b.medianShapeRecent;
      upperShape[row] = b.upperShape;
      row++;
    }
    insertEnd(task);
    if (onProgress && n % 5000 === 0) onProgress(n, sorted.length);
  }
  return {
    features,
    rows,
    cols,
    durations,
    createTimes,
    endTimes,
    jobIds,
    shapeKeys,
    isTrain,
    sequences,
    historyLength: opt.historyLength,
    baselines: { global: globalBl, similar: similarBl, medianShape, medianJob, medianShapeRecent, upperShape },
    trainJobs: nTrainJobs,
    testJobs: jobOrder.length - nTrainJobs,
    splitTime,
  };
}

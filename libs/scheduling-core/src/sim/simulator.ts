import { ClusterState } from '../model/cluster-state';
import { seededRng, type Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';
import type { NodeSpec } from '../model/node.model';
import { RESOURCE_KEYS, ZERO_RESOURCES, type MutableResources, type Resources } from '../model/resources';
import { validateTask, type Task } from '../model/task.model';
import type { OrderingPolicy } from '../policies/ordering-policy';
import { MAX_LOST_ATTEMPTS, type RetryPolicy } from '../retry/retry-policy';
import type { DurationPredictor } from '../traces/duration-estimator';
import { DEFAULT_NOISE_SIGMA, attemptStreamSeed, drawAttempt, meanRealisedDuration, realiseInstanceDurations, type RealisedDurations } from './duration-noise';
import { EventHeap } from './event-heap';
import { jainIndex, percentile, summariseJobCompletion, summariseWaits, type SimMetrics } from './metrics';

export interface SimConfig {
  readonly nodes: readonly NodeSpec[];
  /** Probability that one attempt fails transiently (at a uniform point of its run). */
  readonly failureProbability: number;
  /** Back-off and attempt budget per instance (DEFAULT_RETRY_POLICY: the live executor's). */
  readonly retry: RetryPolicy;
  /** Random node losses inside the arrival window; their running attempts are lost and requeued. */
  readonly nodeFailures?: { readonly count: number; readonly downtimeSeconds: number };
  /** Seeds the attempt failures, their retry jitter and node losses, and the duration noise unless `durations` is given. */
  readonly seed: number;
  /** Realised run time of every instance (see duration-noise.ts); default: drawn with `noiseSigma` and `seed`. */
  readonly durations?: RealisedDurations;
  /** σ of the per-instance lognormal noise when `durations` is not given (default 0.5). */
  readonly noiseSigma?: number;
  /**
   * Online duration predictor (give each run a fresh one): asked at each arrival, told each
   * successful instance's run time at its end, in simulated time. Absent: policies see the tasks'
   * own `duration.predicted` (synthetic workloads, tests).
   */
  readonly predictor?: DurationPredictor;
  readonly onProgress?: (doneInstances: number, totalInstances: number) => void;
}

type SimEvent =
  | { readonly kind: 'arrive'; readonly task: number }
  | { readonly kind: 'end'; readonly attempt: Attempt }
  | { readonly kind: 'retry'; readonly task: number; readonly instance: number }
  | { readonly kind: 'node'; readonly node: number; readonly up: boolean };

interface Attempt {
  readonly task: number;
  /** Instance number inside its task. */
  readonly instance: number;
  readonly node: number;
  readonly start: number;
  readonly ok: boolean;
  /** Draw for the retry delay if this attempt fails. */
  readonly jitter: number;
  done: boolean;
}

interface TaskRun {
  /** Instances [0, nextFresh) have started at least once. */
  nextFresh: number;
  /** Instances waiting for another attempt, in the order they became runnable again. */
  retryQueue: number[];
  succeeded: number;
  failed: number;
  lastEnd: number;
}

/** Raw per-run outcome: metrics plus what tests and the live-vs-simulated comparison need. */
export interface SimOutcome {
  readonly metrics: SimMetrics;
  readonly succeededByTask: readonly number[];
  readonly failedByTask: readonly number[];
  readonly starts: number;
  /** Wait of every instance (seconds), grouped by task as `durations.offsets`. */
  readonly instanceWaits: Float64Array;
  readonly durations: RealisedDurations;
}

/**
 * Discrete-event replay of `tasks` on a cluster driven by `policy` through the same
 * enqueue / pickNext / commit / onInstanceEnd calls the live executor makes. Each instance is its
 * own schedulable unit (gang tasks start all pending instances together) and runs its realised
 * duration. Retries mirror the executor: a transient failure charges the instance's own budget
 * (`retry.maxAttempts`) and requeues it after `retry`'s back-off; an attempt lost with its node is
 * requeued at once without charge, up to MAX_LOST_ATTEMPTS times.
 */
export function simulate(input: readonly Task[], policy: OrderingPolicy, config: SimConfig): SimOutcome {
  const tasks = input.map((t) => validateTask(t));
  const durations = config.durations ?? realiseInstanceDurations(tasks, { sigma: config.noiseSigma ?? DEFAULT_NOISE_SIGMA, seed: config.seed });
  if (durations.offsets.length !== tasks.length + 1 || durations.offsets[tasks.length] !== tasks.reduce((s, t) => s + t.instances, 0)) {
    throw new SchedulingError('INVALID_ARGUMENT', 'config.durations were realised for other tasks');
  }
  const offsets = durations.offsets;
  const rng: Rng = seededRng(config.seed);
  const cluster = new ClusterState(config.nodes);
  const heap = new EventHeap<SimEvent>();
  const retry = config.retry;
  const runs: TaskRun[] = tasks.map(() => ({ nextFresh: 0, retryQueue: [], succeeded: 0, failed: 0, lastEnd: 0 }));
  const streams = tasks.map((t) => attemptStreamSeed(config.seed, t.id));
  const meanDuration = tasks.map((_, k) => meanRealisedDuration(durations, k));
  const totalInstances = offsets[tasks.length] as number;
  const waits = new Float64Array(totalInstances);
  const readySince = new Float64Array(totalInstances);
  const attemptsOf = new Uint32Array(totalInstances);
  const charged = new Uint32Array(totalInstances);
  const lostOf = new Uint32Array(totalInstances);
  const runningByNode: Set<Attempt>[] = config.nodes.map(() => new Set<Attempt>());
  const indexById = new Map<string, number>();
  // What the policies see: the task with the prediction made at its arrival and, for the oracle,
  // the true mean run time of its instances.
  const seen: Task[] = new Array<Task>(tasks.length);
  tasks.forEach((t, i) => {
    if (indexById.has(t.id)) throw new SchedulingError('INVALID_TASK', `duplicate task id ${t.id}`);
    indexById.set(t.id, i);
    for (let g = offsets[i] as number; g < (offsets[i + 1] as number); g++) readySince[g] = t.arrival;
    heap.push(t.arrival, { kind: 'arrive', task: i });
  });
  const firstArrival = tasks.reduce((m, t) => Math.min(m, t.arrival), Infinity);
  const lastArrival = tasks.reduce((m, t) => Math.max(m, t.arrival), -Infinity);

  if (config.nodeFailures && config.nodeFailures.count > 0 && config.nodes.length > 0) {
    for (let i = 0; i < config.nodeFailures.count; i++) {
      const node = Math.floor(rng.next() * config.nodes.length);
      const at = firstArrival + rng.next() * Math.max(1, lastArrival - firstArrival);
      heap.push(at, { kind: 'node', node, up: false });
      heap.push(at + config.nodeFailures.downtimeSeconds, { kind: 'node', node, up: true });
    }
  }

  const busy: MutableResources = { ...ZERO_RESOURCES };
  const allocated: MutableResources = { ...ZERO_RESOURCES };
  const busyArrival: MutableResources = { ...ZERO_RESOURCES };
  let attempts = 0;
  let failedAttempts = 0;
  let lostAttempts = 0;
  let decisions = 0;
  let done = 0;
  let lastProgress = 0;
  let clock = firstArrival;
  const downNodes = new Set<number>();

  const advance = (t: number): void => {
    if (t <= clock) return;
    const dt = t - clock;
    for (const k of RESOURCE_KEYS) busy[k] += allocated[k] * dt;
    const a0 = Math.max(clock, firstArrival);
    const a1 = Math.min(t, lastArrival);
    if (a1 > a0) for (const k of RESOURCE_KEYS) busyArrival[k] += allocated[k] * (a1 - a0);
    clock = t;
  };

  const finishInstance = (ti: number, ok: boolean, now: number): void => {
    const run = runs[ti] as TaskRun;
    if (ok) run.succeeded++;
    else run.failed++;
    run.lastEnd = Math.max(run.lastEnd, now);
    done++;
    if (config.onProgress && done - lastProgress >= 50_000) {
      lastProgress = done;
      config.onProgress(done, totalInstances);
    }
  };

  const endAttempt = (a: Attempt, outcome: 'ok' | 'failed' | 'lost', now: number): void => {
    a.done = true;
    const task = seen[a.task] as Task;
    const g = (offsets[a.task] as number) + a.instance;
    runningByNode[a.node]?.delete(a);
    cluster.release(a.node, task.request);
    for (const k of RESOURCE_KEYS) allocated[k] -= task.request[k];
    policy.onInstanceEnd(task, a.node, a.start, now, outcome === 'ok');
    if (outcome === 'ok') {
      config.predictor?.observe(task, now - a.start, now);
      finishInstance(a.task, true, now);
      return;
    }
    readySince[g] = now;
    if (outcome === 'lost') {
      lostAttempts++;
      lostOf[g] = (lostOf[g] as number) + 1;
      if ((lostOf[g] as number) > MAX_LOST_ATTEMPTS) return finishInstance(a.task, false, now);
      (runs[a.task] as TaskRun).retryQueue.push(a.instance);
      policy.enqueue(task, 1, now);
      return;
    }
    failedAttempts++;
    charged[g] = (charged[g] as number) + 1;
    if (!retry.allowsRetryAfter(charged[g] as number)) return finishInstance(a.task, false, now);
    const delay = retry.delayForUniform(charged[g] as number, a.jitter) / 1000;
    heap.push(now + delay, { kind: 'retry', task: a.task, instance: a.instance });
  };

  const dispatchLoop = (now: number): void => {
    for (;;) {
      const d = policy.pickNext(cluster, now);
      decisions++;
      if (d.kind === 'idle') return;
      const ti = indexById.get(d.taskId);
      if (ti === undefined) throw new SchedulingError('UNKNOWN_TASK', `policy dispatched unknown task ${d.taskId}`);
      const task = seen[ti] as Task;
      const run = runs[ti] as TaskRun;
      for (const n of d.nodeIndexes) {
        cluster.allocate(n, task.request);
        for (const k of RESOURCE_KEYS) allocated[k] += task.request[k];
      }
      policy.commit(d, now);
      for (const n of d.nodeIndexes) {
        const instance = run.nextFresh < task.instances ? run.nextFresh++ : run.retryQueue.shift();
        if (instance === undefined) throw new SchedulingError('INFEASIBLE', `policy started more instances of ${task.id} than were runnable`);
        const g = (offsets[ti] as number) + instance;
        waits[g] = (waits[g] as number) + (now - (readySince[g] as number));
        attemptsOf[g] = (attemptsOf[g] as number) + 1;
        attempts++;
        const draw = drawAttempt(streams[ti] as number, instance, attemptsOf[g] as number, config.failureProbability);
        const runTime = durations.seconds[g] as number;
        const a: Attempt = { task: ti, instance, node: n, start: now, ok: !draw.fails, jitter: draw.jitter, done: false };
        runningByNode[n]?.add(a);
        heap.push(now + (draw.fails ? runTime * draw.failFraction : runTime), { kind: 'end', attempt: a });
      }
    }
  };

  while (heap.size > 0) {
    const now = heap.peekTime();
    advance(now);
    while (heap.size > 0 && heap.peekTime() === now) {
      const ev = (heap.pop() as { item: SimEvent }).item;
      switch (ev.kind) {
        case 'arrive': {
          const t = tasks[ev.task] as Task;
          const p = config.predictor?.predict(t, now);
          const duration = p
            ? { ...t.duration, predicted: p.predicted, predictedStd: p.std, actual: meanDuration[ev.task] }
            : { ...t.duration, actual: meanDuration[ev.task] };
          const s: Task = { ...t, duration };
          seen[ev.task] = s;
          policy.enqueue(s, t.instances, now);
          break;
        }
        case 'end':
          if (!ev.attempt.done) endAttempt(ev.attempt, ev.attempt.ok ? 'ok' : 'failed', now);
          break;
        case 'retry': {
          (runs[ev.task] as TaskRun).retryQueue.push(ev.instance);
          policy.enqueue(seen[ev.task] as Task, 1, now);
          break;
        }
        case 'node': {
          if (ev.up) {
            if (downNodes.delete(ev.node)) cluster.setUp(ev.node, true);
          } else if (!downNodes.has(ev.node)) {
            downNodes.add(ev.node);
            for (const a of [...(runningByNode[ev.node] ?? [])]) endAttempt(a, 'lost', now);
            cluster.setUp(ev.node, false);
          }
          break;
        }
      }
    }
    dispatchLoop(now);
  }

  // Conservation: every instance ended exactly once, and nothing is left queued.
  const lost = runs.reduce((s, r, i) => s + ((tasks[i] as Task).instances - r.succeeded - r.failed), 0);
  if (lost !== 0 || policy.queuedInstances !== 0) {
    throw new SchedulingError(
      'INFEASIBLE',
      `${lost} instance(s) never finished and ${policy.queuedInstances} remain queued: some task cannot fit on any node`,
    );
  }

  const makespanEnd = runs.reduce((m, r) => Math.max(m, r.lastEnd), firstArrival);
  const capacity = cluster.totalCapacity;
  const ratio = (num: Resources, span: number): Resources => {
    const out: MutableResources = { ...ZERO_RESOURCES };
    for (const k of RESOURCE_KEYS) out[k] = capacity[k] > 0 && span > 0 ? num[k] / (capacity[k] * span) : 0;
    return out;
  };
  const slowdowns: number[] = [];
  const byTenant = new Map<string, { sum: number; n: number }>();
  tasks.forEach((t, i) => {
    const jct = (runs[i] as TaskRun).lastEnd - t.arrival;
    const sd = Math.max(1, jct / Math.max(meanDuration[i] ?? 0, 10));
    slowdowns.push(sd);
    const acc = byTenant.get(t.tenant) ?? { sum: 0, n: 0 };
    acc.sum += sd;
    acc.n++;
    byTenant.set(t.tenant, acc);
  });
  slowdowns.sort((a, b) => a - b);
  const w = summariseWaits(offsets, waits);
  const jobs = summariseJobCompletion(tasks, runs.map((r) => r.lastEnd));
  const succeeded = runs.reduce((s, r) => s + r.succeeded, 0);
  const metrics: SimMetrics = {
    policy: policy.name,
    information: policy.information,
    tasks: tasks.length,
    instances: totalInstances,
    jobs: jobs.jobs,
    meanWaitPerTask: w.perTask.mean,
    p95WaitPerTask: w.perTask.p95,
    meanWaitPerInstance: w.perInstance.mean,
    p95WaitPerInstance: w.perInstance.p95,
    meanJobJct: jobs.mean,
    p95JobJct: jobs.p95,
    p95Slowdown: percentile(slowdowns, 95),
    makespan: makespanEnd - firstArrival,
    utilisation: ratio(busy, makespanEnd - firstArrival),
    utilisationArrivalWindow: ratio(busyArrival, lastArrival - firstArrival),
    successRate: totalInstances ? succeeded / totalInstances : 1,
    attempts,
    failedAttempts,
    lostAttempts,
    jainFairness: jainIndex([...byTenant.values()].map((v) => v.n / v.sum)),
    decisions,
  };
  return {
    metrics,
    succeededByTask: runs.map((r) => r.succeeded),
    failedByTask: runs.map((r) => r.failed),
    starts: attempts,
    instanceWaits: waits,
    durations,
  };
}

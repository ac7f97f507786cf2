import { ClusterState } from '../model/cluster-state';
import { seededRng, type Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';
import type { NodeSpec } from '../model/node.model';
import { RESOURCE_KEYS, type MutableResources, type Resources } from '../model/resources';
import { validateTask, type Task } from '../model/task.model';
import type { OrderingPolicy } from '../policies/ordering-policy';
import { EventHeap } from './event-heap';
import { SampleSketch, jainIndex, percentile, type SimMetrics } from './metrics';

export interface BackoffConfig {
  readonly baseSeconds: number;
  readonly factor: number;
  readonly maxSeconds: number;
  /** Delay is multiplied by 1 + jitter·U[0,1). */
  readonly jitter: number;
}

export interface SimConfig {
  readonly nodes: readonly NodeSpec[];
  /** Probability that one attempt fails transiently (at a uniform point of its run). */
  readonly failureProbability: number;
  /** Retries per instance after its first attempt. */
  readonly maxRetries: number;
  readonly backoff: BackoffConfig;
  /** Random node losses inside the arrival window; running instances there fail and are retried. */
  readonly nodeFailures?: { readonly count: number; readonly downtimeSeconds: number };
  readonly seed: number;
  readonly onProgress?: (doneInstances: number, totalInstances: number) => void;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseSeconds: 5, factor: 2, maxSeconds: 300, jitter: 0.5 };

type SimEvent =
  | { readonly kind: 'arrive'; readonly task: number }
  | { readonly kind: 'end'; readonly attempt: Attempt }
  | { readonly kind: 'retry'; readonly task: number; readonly attemptNo: number }
  | { readonly kind: 'node'; readonly node: number; readonly up: boolean };

interface Attempt {
  readonly task: number;
  readonly node: number;
  readonly start: number;
  readonly attemptNo: number;
  readonly ok: boolean;
  done: boolean;
}

interface TaskRun {
  neverStarted: number;
  retryAttemptNos: number[];
  succeeded: number;
  failed: number;
  lastEnd: number;
}

/** Raw per-run outcome, used by tests to check conservation. */
export interface SimOutcome {
  readonly metrics: SimMetrics;
  readonly succeededByTask: readonly number[];
  readonly failedByTask: readonly number[];
  readonly starts: number;
}

/**
 * Discrete-event replay of `tasks` on a cluster driven by `policy` through the same
 * enqueue / pickNext / commit / onInstanceEnd calls the live executor makes. Each instance is its
 * own schedulable unit (gang tasks start all pending instances together).
 */
export function simulate(input: readonly Task[], policy: OrderingPolicy, config: SimConfig): SimOutcome {
  const tasks = input.map((t) => {
    validateTask(t);
    if (t.duration.actual === undefined || !(t.duration.actual >= 0)) {
      throw new SchedulingError('INVALID_TASK', `task ${t.id}: the simulator needs duration.actual`);
    }
    return t;
  });
  const rng: Rng = seededRng(config.seed);
  const cluster = new ClusterState(config.nodes);
  const heap = new EventHeap<SimEvent>();
  const runs: TaskRun[] = tasks.map((t) => ({ neverStarted: t.instances, retryAttemptNos: [], succeeded: 0, failed: 0, lastEnd: 0 }));
  const runningByNode: Set<Attempt>[] = config.nodes.map(() => new Set<Attempt>());
  const indexById = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (indexById.has(t.id)) throw new SchedulingError('INVALID_TASK', `duplicate task id ${t.id}`);
    indexById.set(t.id, i);
    heap.push(t.arrival, { kind: 'arrive', task: i });
  });
  const totalInstances = tasks.reduce((s, t) => s + t.instances, 0);
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

  const busy: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
  const allocated: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
  const busyArrival: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
  const waits = new SampleSketch(200_000, () => rng.next());
  let waitSum = 0;
  let waitCount = 0;
  let attempts = 0;
  let failedAttempts = 0;
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

  const endAttempt = (a: Attempt, ok: boolean, now: number): void => {
    a.done = true;
    const task = tasks[a.task] as Task;
    runningByNode[a.node]?.delete(a);
    cluster.release(a.node, task.request);
    for (const k of RESOURCE_KEYS) allocated[k] -= task.request[k];
    policy.onInstanceEnd(task, a.node, a.start, now, ok);
    if (ok) {
      finishInstance(a.task, true, now);
      return;
    }
    failedAttempts++;
    if (a.attemptNo > config.maxRetries) {
      finishInstance(a.task, false, now);
      return;
    }
    const b = config.backoff;
    const delay = Math.min(b.maxSeconds, b.baseSeconds * Math.pow(b.factor, a.attemptNo - 1)) * (1 + b.jitter * rng.next());
    heap.push(now + delay, { kind: 'retry', task: a.task, attemptNo: a.attemptNo + 1 });
  };

  const dispatchLoop = (now: number): void => {
    for (;;) {
      const d = policy.pickNext(cluster, now);
      decisions++;
      if (d.kind === 'idle') return;
      const ti = indexById.get(d.taskId);
      if (ti === undefined) throw new SchedulingError('UNKNOWN_TASK', `policy dispatched unknown task ${d.taskId}`);
      const task = tasks[ti] as Task;
      const run = runs[ti] as TaskRun;
      for (const n of d.nodeIndexes) {
        cluster.allocate(n, task.request);
        for (const k of RESOURCE_KEYS) allocated[k] += task.request[k];
      }
      policy.commit(d, now);
      for (const n of d.nodeIndexes) {
        let attemptNo = 1;
        if (run.neverStarted > 0) {
          run.neverStarted--;
          const w = now - task.arrival;
          waitSum += w;
          waitCount++;
          waits.add(w);
        } else {
          attemptNo = run.retryAttemptNos.shift() ?? 2;
        }
        attempts++;
        const actual = task.duration.actual ?? 0;
        const fails = rng.next() < config.failureProbability;
        const a: Attempt = { task: ti, node: n, start: now, attemptNo, ok: !fails, done: false };
        runningByNode[n]?.add(a);
        heap.push(now + (fails ? actual * rng.next() : actual), { kind: 'end', attempt: a });
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
          policy.enqueue(t, t.instances, now);
          break;
        }
        case 'end':
          if (!ev.attempt.done) endAttempt(ev.attempt, ev.attempt.ok, now);
          break;
        case 'retry': {
          (runs[ev.task] as TaskRun).retryAttemptNos.push(ev.attemptNo);
          policy.enqueue(tasks[ev.task] as Task, 1, now);
          break;
        }
        case 'node': {
          if (ev.up) {
            if (downNodes.delete(ev.node)) cluster.setUp(ev.node, true);
          } else if (!downNodes.has(ev.node)) {
            downNodes.add(ev.node);
            for (const a of [...(runningByNode[ev.node] ?? [])]) endAttempt(a, false, now);
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
    const out: MutableResources = { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 };
    for (const k of RESOURCE_KEYS) out[k] = capacity[k] > 0 && span > 0 ? num[k] / (capacity[k] * span) : 0;
    return out;
  };
  const jcts: number[] = [];
  const slowdowns: number[] = [];
  const byTenant = new Map<string, { sum: number; n: number }>();
  tasks.forEach((t, i) => {
    const r = runs[i] as TaskRun;
    const jct = r.lastEnd - t.arrival;
    jcts.push(jct);
    const sd = Math.max(1, jct / Math.max(t.duration.actual ?? 0, 10));
    slowdowns.push(sd);
    const acc = byTenant.get(t.tenant) ?? { sum: 0, n: 0 };
    acc.sum += sd;
    acc.n++;
    byTenant.set(t.tenant, acc);
  });
  slowdowns.sort((a, b) => a - b);
  const succeeded = runs.reduce((s, r) => s + r.succeeded, 0);
  const metrics: SimMetrics = {
    policy: policy.name,
    information: policy.information,
    tasks: tasks.length,
    instances: totalInstances,
    meanWait: waitCount ? waitSum / waitCount : 0,
    p95Wait: waits.percentile(95),
    meanJct: jcts.length ? jcts.reduce((a, b) => a + b, 0) / jcts.length : 0,
    p95Slowdown: percentile(slowdowns, 95),
    makespan: makespanEnd - firstArrival,
    utilisation: ratio(busy, makespanEnd - firstArrival),
    utilisationArrivalWindow: ratio(busyArrival, lastArrival - firstArrival),
    successRate: totalInstances ? succeeded / totalInstances : 1,
    attempts,
    failedAttempts,
    jainFairness: jainIndex([...byTenant.values()].map((v) => v.n / v.sum)),
    decisions,
  };
  return {
    metrics,
    succeededByTask: runs.map((r) => r.succeeded),
    failedByTask: runs.map((r) => r.failed),
    starts: attempts,
  };
}

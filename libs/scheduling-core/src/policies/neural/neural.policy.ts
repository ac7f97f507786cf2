import type { ClusterState } from '../../model/cluster-state';
import type { Rng } from '../../model/clock';
import { IDLE_EMPTY, IDLE_NOTHING_FITS, type Decision, type DispatchDecision, type QueueEntry } from '../../model/decision.model';
import type { Resources } from '../../model/resources';
import type { Task } from '../../model/task.model';
import { FailedShapes, REQ_STRIDE, RankedPolicy, type RankedPolicyOptions } from '../ordering-policy';
import {
  CONTEXT_FEATURES,
  N_CONTEXT,
  N_TASK,
  TASK_FEATURES,
  decisionContext,
  predictedSeconds,
  writeContextFeatures,
  writeTaskFeatures,
  type TaskKnowledge,
} from './neural-features';
import { PolicyScorer } from './neural-network';
import type { PolicyWeights } from './neural-weights';

/**
 * Training hook: the policy reports every choice it makes among two or more candidates (raw
 * features, as the network reads them) and every change of its queue, so a trainer can integrate
 * the waiting cost between decisions (see policy-gradient.ts).
 */
export interface TrajectoryRecorder {
  /** The queue holds `queuedInstances` instances and Σ pending ÷ instances over tasks = `weightedQueued` from `now` on. */
  queueChanged(now: number, queuedInstances: number, weightedQueued: number): void;
  /** Chose row `chosen` of `count` candidates (task rows count × N_TASK, context rows count × N_CONTEXT, hours waited). */
  decision(now: number, count: number, task: Float64Array, context: Float64Array, waitHours: Float64Array, chosen: number): void;
}

/**
 * What the executor's decision recorder stores for one decision of the learned policy. libs/contracts
 * has no DecisionRecord yet (the explainability issue adds it); this is the policy-side data for it.
 */
export interface PolicyDecisionExplanation {
  readonly policy: string;
  readonly modelVersion: string;
  readonly featureSchemaHash: string;
  readonly decidedAt: number;
  readonly taskId: string;
  /** The chosen task's priority (higher runs first). */
  readonly score: number;
  /** Tasks on the shortlist that fitted and were scored this decision. */
  readonly candidates: number;
  /** Inputs by |gradient × input|, largest first (see PolicyScorer.attribution). */
  readonly topInputs: readonly { readonly feature: string; readonly value: number; readonly contribution: number }[];
  /** Score from waiting (agingPerHour × hours waited). */
  readonly agingContribution: number;
  /** The best candidate not chosen, or null when only one fitted. */
  readonly runnerUp: { readonly taskId: string; readonly score: number } | null;
}

export interface NeuralPolicyOptions extends RankedPolicyOptions {
  /** Validated weights (parsePolicyWeights). */
  readonly weights: PolicyWeights;
  /** Capacity of one node: requests become shares of it. */
  readonly nodeCapacity: Resources;
  readonly name?: string;
  /** Training only: sample the shortlist's softmax(priority ÷ temperature) instead of taking its best. */
  readonly sampling?: { readonly rng: Rng; readonly temperature?: number };
  /** Training only: told every choice among ≥ 2 candidates and every queue change. */
  readonly recorder?: TrajectoryRecorder;
}

interface Knowledge {
  obsSum: number;
  obsN: number;
  firstStart: number | undefined;
  lowerBound: number | undefined;
  started: number;
  running: number;
}

/** Knowledge kept for at most this many tasks that are neither queued nor running (bounded memory live). */
const KNOWLEDGE_CAP = 100_000;

/**
 * The learned scheduling policy (`rl`): a per-candidate scoring network trained by policy gradient
 * in the simulator (docs/bench-schedule.md, "The learned policy"). Framework-free inference:
 *
 * - Each queued task carries its task score (taskSkip · t̂ + taskNet(t̂)), recomputed only when the
 *   task changes (enqueue, commit, one of its instances ends, its pilot outlives the estimate), in a
 *   ranked index keyed by −task score + agingPerHour × arrival hours (the same order as task score +
 *   aging × hours waited, at any time).
 * - A decision walks the index from the top and keeps the first `shortlist` tasks that fit now (the
 *   approximation: a task outside them is not considered this decision), computes their context
 *   features (wait, the chosen node's slack, cluster free share, queue length) and scores them in one
 *   batch through the context network. The highest priority starts (training samples the softmax).
 *
 * Inputs are what the live executor knows; a queued instance's true duration is never read.
 */
export class NeuralPolicy extends RankedPolicy {
  readonly name: string;
  readonly information = 'predicted' as const;
  protected readonly mode = 'greedy' as const;
  private readonly scorer: PolicyScorer;
  private readonly w: PolicyWeights;
  private readonly cap: Resources;
  private readonly sampling: NeuralPolicyOptions['sampling'];
  private readonly recorder: TrajectoryRecorder | undefined;
  private readonly knowledge = new Map<string, Knowledge>();
  private readonly taskScores = new Map<string, number>();
  private weightedPending = 0;
  private readonly k: number;
  private readonly row = new Float64Array(N_TASK);
  private readonly shortTask: Float64Array;
  private readonly shortCtx: Float64Array;
  private readonly shortWait: Float64Array;
  private readonly shortCtxScore: Float64Array;
  private readonly shortPriority: Float64Array;
  private readonly shortIds: string[] = [];
  private last: { count: number; chosen: number; now: number } | null = null;

  constructor(opts: NeuralPolicyOptions) {
    super(opts);
    this.name = opts.name ?? 'rl';
    this.w = opts.weights;
    this.scorer = new PolicyScorer(opts.weights);
    this.cap = opts.nodeCapacity;
    this.sampling = opts.sampling;
    this.recorder = opts.recorder;
    this.k = opts.weights.shortlist;
    this.shortTask = new Float64Array(this.k * N_TASK);
    this.shortCtx = new Float64Array(this.k * N_CONTEXT);
    this.shortWait = new Float64Array(this.k);
    this.shortCtxScore = new Float64Array(this.k);
    this.shortPriority = new Float64Array(this.k);
  }

  get weights(): PolicyWeights {
    return this.w;
  }

  private know(id: string): Knowledge {
    let k = this.knowledge.get(id);
    if (!k) {
      if (this.knowledge.size >= KNOWLEDGE_CAP) this.forgetIdle();
      this.knowledge.set(id, (k = { obsSum: 0, obsN: 0, firstStart: undefined, lowerBound: undefined, started: 0, running: 0 }));
    }
    return k;
  }

  private forgetIdle(): void {
    for (const [id, k] of this.knowledge) {
      if (this.knowledge.size < KNOWLEDGE_CAP / 2) return;
      if (k.running === 0 && !this.index.has(id)) this.knowledge.delete(id);
    }
  }

  private view(k: Knowledge | undefined): TaskKnowledge {
    if (!k) return { observedCount: 0 };
    return { observedMean: k.obsN > 0 ? k.obsSum / k.obsN : undefined, observedCount: k.obsN, lowerBound: k.lowerBound };
  }

  /** Raw task features of a queue entry (into `out` at `offset`). */
  private features(e: QueueEntry, out: Float64Array, offset: number): void {
    const k = this.knowledge.get(e.task.id);
    // A retried instance re-enters as a fresh queue entry: count the task's starts, not the entry's.
    const entry = k && k.started > e.started ? { ...e, started: k.started } : e;
    writeTaskFeatures(out, offset, entry, this.view(k), this.cap, this.w.pilotFraction);
  }

  private taskScoreOf(e: QueueEntry): number {
    this.features(e, this.row, 0);
    const s = this.scorer.taskScore(this.row, 0);
    this.taskScores.set(e.task.id, s);
    return s;
  }

  protected key(e: QueueEntry): number {
    return -this.taskScoreOf(e) + (this.w.agingPerHour * e.task.arrival) / 3600;
  }

  private rescore(e: QueueEntry): void {
    this.index.rekey(e.task.id, this.key(e));
  }

  private queueChanged(now: number): void {
    this.recorder?.queueChanged(now, this.queuedInstances, this.weightedPending);
  }

  override enqueue(task: Task, count: number, now: number): void {
    if (!(count > 0)) return;
    this.weightedPending += count / Math.max(1, task.instances);
    super.enqueue(task, count, now);
    this.queueChanged(now);
  }

  protected override afterChange(e: QueueEntry): void {
    this.rescore(e);
  }

  protected override onCommit(e: QueueEntry, d: DispatchDecision, now: number): void {
    const n = d.nodeIndexes.length;
    this.weightedPending -= n / Math.max(1, e.task.instances);
    const k = this.know(e.task.id);
    k.started += n;
    k.running += n;
    if (k.firstStart === undefined && k.obsN === 0) k.firstStart = now;
    // RankedPolicy.commit has taken the started instances off `pending` already.
    if (e.pending <= 0) this.taskScores.delete(e.task.id);
  }

  override commit(decision: DispatchDecision, now: number): void {
    super.commit(decision, now);
    this.queueChanged(now);
  }

  override onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void {
    void nodeIndex;
    const k = this.know(task.id);
    k.running = Math.max(0, k.running - 1);
    if (!ok) return;
    k.firstStart = undefined;
    k.lowerBound = undefined;
    k.obsSum += now - startedAt;
    k.obsN++;
    const e = this.index.get(task.id);
    if (e) this.rescore(e);
  }

  override remove(taskId: string): void {
    const e = this.index.get(taskId);
    if (e) this.weightedPending -= e.pending / Math.max(1, e.task.instances);
    super.remove(taskId);
    this.taskScores.delete(taskId);
  }

  /**
   * A task whose first instance has run longer than the duration it is ranked with is longer than
   * predicted: its estimate becomes elapsedStretch × elapsed (as sjf-online does). True if it moved down.
   */
  private correct(e: QueueEntry, now: number): boolean {
    const k = this.knowledge.get(e.task.id);
    if (!k || k.firstStart === undefined || k.obsN > 0) return false;
    const elapsed = now - k.firstStart;
    const current = k.lowerBound ?? predictedSeconds(e);
    if (elapsed <= current) return false;
    k.lowerBound = elapsed * this.w.elapsedStretch;
    const before = this.index.keyOf(e.task.id);
    this.rescore(e);
    const after = this.index.keyOf(e.task.id);
    return before !== undefined && after !== undefined && after > before;
  }

  override pickNext(cluster: ClusterState, now: number): Decision {
    this.last = null;
    if (this.index.size === 0) return IDLE_EMPTY;
    const ctx = decisionContext(cluster, now, this.index.size, this.queuedInstances);
    const maxFree = cluster.maxFree();
    const limit = Math.min(this.index.size, this.scanLimit);
    const failed = new FailedShapes();
    const sky = this.skylineFor(cluster);
    const picks: DispatchDecision[] = [];
    let count = 0;
    for (let i = 0; i < limit && count < this.k; i++) {
      if (this.cannotStartAt(this.index.packedRequests(), i * REQ_STRIDE, maxFree, failed, sky)) continue;
      const e = this.index.at(i);
      if (!e) continue;
      const d = this.tryPlace(e, cluster);
      if (!d) {
        if (!e.task.gang) failed.add(e.task.request);
        continue;
      }
      // Outlived its estimate: it moved down the ranking, so look at whatever now sits at i.
      if (this.correct(e, now)) {
        i--;
        continue;
      }
      const node = cluster.nodes[d.nodeIndexes[0] ?? 0];
      this.features(e, this.shortTask, count * N_TASK);
      writeContextFeatures(this.shortCtx, count * N_CONTEXT, e, node ? node.free : maxFree, node ? node.capacity : cluster.unitCapacity, ctx);
      this.shortWait[count] = Math.max(0, now - e.task.arrival) / 3600;
      this.shortPriority[count] = this.taskScores.get(e.task.id) ?? this.taskScoreOf(e);
      this.shortIds[count] = e.task.id;
      picks.push(d);
      count++;
    }
    if (count === 0) return IDLE_NOTHING_FITS;
    this.scorer.contextScores(this.shortTask, this.shortCtx, count, this.shortCtxScore);
    let best = 0;
    for (let r = 0; r < count; r++) {
      this.shortPriority[r] = (this.shortPriority[r] as number) + this.w.agingPerHour * (this.shortWait[r] as number) + (this.shortCtxScore[r] as number);
      if ((this.shortPriority[r] as number) > (this.shortPriority[best] as number)) best = r;
    }
    const chosen = this.sampling && count > 1 ? this.sample(count) : best;
    if (count > 1) this.recorder?.decision(now, count, this.shortTask, this.shortCtx, this.shortWait, chosen);
    this.last = { count, chosen, now };
    return picks[chosen] as DispatchDecision;
  }

  private sample(count: number): number {
    const t = this.sampling?.temperature ?? 1;
    let max = -Infinity;
    for (let r = 0; r < count; r++) max = Math.max(max, (this.shortPriority[r] as number) / t);
    let z = 0;
    for (let r = 0; r < count; r++) z += Math.exp((this.shortPriority[r] as number) / t - max);
    let u = (this.sampling?.rng.next() ?? 0) * z;
    for (let r = 0; r < count; r++) {
      u -= Math.exp((this.shortPriority[r] as number) / t - max);
      if (u <= 0) return r;
    }
    return count - 1;
  }

  /**
   * Why the last dispatch chose its task: the inputs that contributed most to its priority
   * (gradient × input), the part due to waiting, and the runner-up. Null when the last pickNext did
   * not dispatch. Computed on demand, so a decision pays nothing for it unless asked.
   */
  explainLast(top = 5): PolicyDecisionExplanation | null {
    const l = this.last;
    if (!l) return null;
    const r = l.chosen;
    const task = this.shortTask.subarray(r * N_TASK, (r + 1) * N_TASK);
    const context = this.shortCtx.subarray(r * N_CONTEXT, (r + 1) * N_CONTEXT);
    const a = this.scorer.attribution(task, context);
    const inputs = [
      ...TASK_FEATURES.map((f, i) => ({ feature: f, value: task[i] as number, contribution: a.task[i] as number })),
      ...CONTEXT_FEATURES.map((f, i) => ({ feature: f, value: context[i] as number, contribution: a.context[i] as number })),
    ].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
    let runner = -1;
    for (let i = 0; i < l.count; i++) {
      if (i !== r && (runner < 0 || (this.shortPriority[i] as number) > (this.shortPriority[runner] as number))) runner = i;
    }
    return {
      policy: this.name,
      modelVersion: this.w.version,
      featureSchemaHash: this.w.featureSchemaHash,
      decidedAt: l.now,
      taskId: this.shortIds[r] as string,
      score: this.shortPriority[r] as number,
      candidates: l.count,
      topInputs: inputs.slice(0, Math.max(0, top)),
      agingContribution: this.w.agingPerHour * (this.shortWait[r] as number),
      runnerUp: runner >= 0 ? { taskId: this.shortIds[runner] as string, score: this.shortPriority[runner] as number } : null,
    };
  }
}

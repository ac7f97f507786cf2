import type { ClusterState } from '../model/cluster-state';
import type { DispatchDecision, QueueEntry } from '../model/decision.model';
import { alignment, dominantShare, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';
import { FailedShapes, REQ_STRIDE, RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

/**
 * Weights of the learned ranker: a linear value function over task features (lower = run first),
 * an aging rate, and a resource-fit bonus applied among the best few candidates at decision time.
 */
export interface LearnedWeights {
  readonly version: number;
  readonly features: readonly string[];
  readonly weights: readonly number[];
  /** Score points per hour waited (aging; keeps long tasks from starving). */
  readonly agePerHour: number;
  /** Bonus for how well a candidate's demand aligns with its node's free resources. */
  readonly fitWeight: number;
  /** How many top-ranked fitting tasks compete on fit each decision. */
  readonly candidates: number;
  /** Estimate for a task whose first instance has run past its estimate: elapsed × this. */
  readonly elapsedStretch?: number;
  /** Weight (0..1, geometric) of the job's observed run times in a not-yet-observed task's estimate. */
  readonly jobBlend?: number;
  /**
   * Pilot instances: once this fraction (at least one) of a task's instances has started with no
   * run time observed yet, the rest of the task is ranked `probePenalty` lower until the first
   * instance finishes (learn a task's duration from a few pilots before committing the cluster).
   */
  readonly pilotFraction?: number;
  readonly probePenalty?: number;
  readonly trainedOn: string;
}

export const LEARNED_FEATURES = ['log_pred_duration', 'rel_uncertainty', 'log_dominant_share', 'log_pending_instances'] as const;

export interface LearnedOptions extends RankedPolicyOptions {
  readonly weights: LearnedWeights;
  /** Capacity of one node: normalises requests to dominant shares. */
  readonly nodeCapacity: Resources;
  readonly name?: string;
}

/**
 * Feature vector of a queue entry. Duration comes from the prediction (with its uncertainty) or,
 * once some instances of the task have finished, from their observed run time — information a
 * live executor has too. The true duration of a queued instance is never read.
 */
export function learnedFeatures(e: QueueEntry, nodeCapacity: Resources, observed?: number): number[] {
  const pred = Math.max(1, e.task.duration.predicted ?? e.task.duration.requested ?? 60);
  const d = observed !== undefined ? Math.max(1, observed) : pred;
  const sd = observed !== undefined ? 0 : (e.task.duration.predictedStd ?? d);
  return [
    Math.log(d),
    Math.log1p(sd / d),
    Math.log(Math.max(1e-4, dominantShare(e.task.request, nodeCapacity))),
    Math.log1p(e.pending),
  ];
}

/**
 * The headline policy: ranks by a trained linear value function of predicted duration, its
 * uncertainty, resource hunger and remaining instances, plus aging; then among the best
 * `candidates` tasks that fit right now it prefers the one that packs best (Tetris alignment).
 * Weights are trained by `trainLearnedWeights` (cross-entropy policy search on simulator rollouts
 * over an earlier slice of the trace) and shipped as learned-weights.json.
 */
export class LearnedPolicy extends RankedPolicy {
  readonly name: string;
  readonly information = 'predicted' as const;
  protected readonly mode = 'greedy' as const;
  private readonly w: LearnedWeights;
  private readonly cap: Resources;
  /** Mean observed run time of finished instances, per task. */
  private readonly observed = new Map<string, { sum: number; n: number }>();
  /** Start of the task's first instance (while none has finished): elapsed time bounds its duration. */
  private readonly firstStart = new Map<string, number>();
  /** Duration lower bounds learnt from instances still running past their prediction. */
  private readonly lowerBound = new Map<string, number>();
  /** Mean log run time of finished instances per job, and the queued tasks of each job. */
  private readonly jobObserved = new Map<string, { sum: number; n: number }>();
  private readonly queuedByJob = new Map<string, Set<string>>();

  constructor(opts: LearnedOptions) {
    super(opts);
    this.name = opts.name ?? 'ai';
    this.w = opts.weights;
    this.cap = opts.nodeCapacity;
    this.stretch = opts.weights.elapsedStretch ?? 2;
    this.jobBlend = opts.weights.jobBlend ?? 0;
    this.pilotFraction = opts.weights.pilotFraction ?? 0.05;
    this.probePenalty = opts.weights.probePenalty ?? 0;
  }

  private readonly pilotFraction: number;
  private readonly probePenalty: number;

  private readonly jobBlend: number;

  override enqueue(task: Task, count: number, now: number): void {
    super.enqueue(task, count, now);
    if (this.jobBlend <= 0) return;
    let set = this.queuedByJob.get(task.jobId);
    if (!set) this.queuedByJob.set(task.jobId, (set = new Set()));
    set.add(task.id);
  }

  private readonly stretch: number;

  /** Best current duration estimate: own observations, else elapsed bound, else prediction blended with the job's observed run times. */
  private estimate(e: QueueEntry): number | undefined {
    const o = this.observed.get(e.task.id);
    if (o) return o.sum / o.n;
    const lb = this.lowerBound.get(e.task.id);
    if (lb !== undefined) return lb;
    const j = this.jobObserved.get(e.task.jobId);
    if (!j || this.jobBlend <= 0) return undefined;
    const pred = Math.max(1, e.task.duration.predicted ?? e.task.duration.requested ?? 60);
    return Math.exp((1 - this.jobBlend) * Math.log(pred) + this.jobBlend * (j.sum / j.n));
  }

  score(e: QueueEntry): number {
    const f = learnedFeatures(e, this.cap, this.estimate(e));
    let s = 0;
    for (let i = 0; i < f.length; i++) s += (this.w.weights[i] ?? 0) * (f[i] ?? 0);
    if (this.probePenalty > 0 && !this.observed.has(e.task.id)) {
      const pilots = Math.max(1, Math.ceil(this.pilotFraction * e.task.instances));
      if (e.started >= pilots) s += this.probePenalty;
    }
    return s + (this.w.agePerHour * e.task.arrival) / 3600;
  }

  protected key(e: QueueEntry): number {
    return this.score(e);
  }

  protected override afterChange(e: QueueEntry): void {
    this.index.rekey(e.task.id, this.score(e));
  }

  protected override onCommit(e: QueueEntry, d: DispatchDecision, now: number): void {
    void d;
    if (!this.firstStart.has(e.task.id) && !this.observed.has(e.task.id)) this.firstStart.set(e.task.id, now);
  }

  override onInstanceEnd(task: Task, nodeIndex: number, startedAt: number, now: number, ok: boolean): void {
    void nodeIndex;
    if (!ok) return;
    this.firstStart.delete(task.id);
    this.lowerBound.delete(task.id);
    const o = this.observed.get(task.id) ?? { sum: 0, n: 0 };
    o.sum += now - startedAt;
    o.n++;
    this.observed.set(task.id, o);
    const e = this.index.get(task.id);
    if (e) this.index.rekey(task.id, this.score(e));
    if (this.jobBlend > 0) {
      const j = this.jobObserved.get(task.jobId) ?? { sum: 0, n: 0 };
      j.sum += Math.log(Math.max(1, now - startedAt));
      j.n++;
      this.jobObserved.set(task.jobId, j);
      const set = this.queuedByJob.get(task.jobId);
      if (set) {
        for (const id of [...set]) {
          const q = this.index.get(id);
          if (!q) set.delete(id);
          else if (id !== task.id) this.index.rekey(id, this.score(q));
        }
        if (set.size === 0) this.queuedByJob.delete(task.jobId);
      }
    }
    // Every instance has finished once and nothing is queued: forget the task (bounded memory).
    if (!e && o.n >= task.instances) this.observed.delete(task.id);
  }

  /**
   * If instances of this task have run longer than the duration it is ranked with, the queued
   * ones are longer too: raise the estimate to `stretch` × elapsed and re-rank. Returns true when
   * the entry moved (the caller rescans).
   */
  private correct(e: QueueEntry, now: number): boolean {
    const start = this.firstStart.get(e.task.id);
    if (start === undefined || this.observed.has(e.task.id)) return false;
    const elapsed = now - start;
    const current = this.lowerBound.get(e.task.id) ?? Math.max(1, e.task.duration.predicted ?? e.task.duration.requested ?? 60);
    if (elapsed <= current) return false;
    this.lowerBound.set(e.task.id, elapsed * this.stretch);
    const before = this.index.keyOf(e.task.id);
    const after = this.score(e);
    this.index.rekey(e.task.id, after);
    return before !== undefined && after > before;
  }

  protected override scanGreedy(cluster: ClusterState, now: number): DispatchDecision | null {
    const maxFree = cluster.maxFree();
    const limit = Math.min(this.index.size, this.scanLimit);
    const unit = cluster.unitCapacity;
    let best: DispatchDecision | null = null;
    let bestScore = Infinity;
    let seen = 0;
    const failed = new FailedShapes();
    const sky = this.skylineFor(cluster);
    for (let i = 0; i < limit && seen < this.w.candidates; i++) {
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
      seen++;
      if (this.w.fitWeight === 0) return d;
      const node = cluster.nodes[d.nodeIndexes[0] ?? 0];
      const fit = node ? alignment(e.task.request, node.free, unit) : 0;
      const s = (this.index.keyOf(e.task.id) ?? 0) - this.w.fitWeight * fit;
      if (s < bestScore) {
        bestScore = s;
        best = d;
      }
    }
    return best;
  }
}

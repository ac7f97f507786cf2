import type { ClusterState } from '../model/cluster-state';
import { IDLE_EMPTY, IDLE_NOTHING_FITS, type Decision, type QueueEntry } from '../model/decision.model';
import { alignment, dominantShare, fitsIn } from '../model/resources';
import { durationEstimate, type DurationInformation } from '../model/task.model';
import { placeGang } from '../placement/placement-strategy';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

export interface PackingOptions extends RankedPolicyOptions {
  /** How many of the oldest tasks compete each decision. */
  readonly window?: number;
  /** Weight of the shortest-remaining-work term relative to alignment (Tetris's ε). */
  readonly srptWeight?: number;
  readonly information?: Exclude<DurationInformation, 'none' | 'actual'>;
}

/**
 * Tetris-style packing: among the oldest `window` tasks, start the (task, node) pair with the
 * largest dot product between the task's normalised demand and the node's free resources, nudged
 * towards tasks with little remaining work (predicted duration × dominant share × instances).
 */
export class PackingPolicy extends RankedPolicy {
  readonly name = 'packing';
  readonly information: Exclude<DurationInformation, 'none' | 'actual'>;
  protected readonly mode = 'greedy' as const;
  private readonly window: number;
  private readonly srpt: number;

  constructor(opts: PackingOptions) {
    super(opts);
    this.window = opts.window ?? 16;
    this.srpt = opts.srptWeight ?? 0.2;
    this.information = opts.information ?? 'predicted';
  }

  protected key(e: QueueEntry): number {
    return e.task.arrival;
  }

  override pickNext(cluster: ClusterState, now: number): Decision {
    void now;
    if (this.index.size === 0) return IDLE_EMPTY;
    const unit = cluster.unitCapacity;
    const maxFree = cluster.maxFree();
    const limit = Math.min(this.index.size, this.window);
    let best: { e: QueueEntry; node: number; score: number } | null = null;
    for (let i = 0; i < limit; i++) {
      const e = this.index.at(i);
      if (!e || !fitsIn(e.task.request, maxFree)) continue;
      const work = durationEstimate(e.task, this.information) * dominantShare(e.task.request, unit) * e.pending;
      const bonus = this.srpt / (1 + Math.log1p(work));
      for (const node of cluster.nodes) {
        if (!cluster.fits(node.index, e.task.request)) continue;
        const s = alignment(e.task.request, node.free, unit) + bonus;
        if (!best || s > best.score + 1e-12) best = { e, node: node.index, score: s };
      }
    }
    if (!best) return IDLE_NOTHING_FITS;
    if (best.e.task.gang) {
      const nodes = placeGang(best.e.task, best.e.pending, cluster, this.placement);
      return nodes ? { kind: 'dispatch', taskId: best.e.task.id, nodeIndexes: nodes } : IDLE_NOTHING_FITS;
    }
    return { kind: 'dispatch', taskId: best.e.task.id, nodeIndexes: [best.node] };
  }
}

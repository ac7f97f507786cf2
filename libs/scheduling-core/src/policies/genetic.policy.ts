import type { ClusterState } from '../model/cluster-state';
import type { DispatchDecision, QueueEntry } from '../model/decision.model';
import type { Rng } from '../model/clock';
import { dominantShare, fitsIn, type Resources } from '../model/resources';
import { durationEstimate, type DurationInformation } from '../model/task.model';
import { RankedPolicy, type RankedPolicyOptions } from './ordering-policy';

export interface GeneticOptions extends RankedPolicyOptions {
  readonly rng: Rng;
  /** Tasks (oldest first) whose order the GA optimises per re-plan. */
  readonly batchSize?: number;
  readonly population?: number;
  readonly generations?: number;
  readonly mutationRate?: number;
  /** Minimum virtual seconds between re-plans (the batch window). */
  readonly replanInterval?: number;
  readonly information?: Exclude<DurationInformation, 'none' | 'actual'>;
}

/**
 * Seed 000's genetic-algorithm batch optimiser: every `replanInterval` it evolves a permutation of
 * the oldest `batchSize` tasks (order crossover + swap mutation, elitism, tournament selection)
 * minimising the summed instance wait of a fluid model of the cluster (each task occupies its
 * predicted duration × dominant share × instances of the aggregate capacity). Dispatch follows the
 * plan greedily; tasks outside the plan follow in FIFO order.
 */
export class GeneticPolicy extends RankedPolicy {
  readonly name = 'ga';
  readonly information: Exclude<DurationInformation, 'none' | 'actual'>;
  protected readonly mode = 'greedy' as const;
  private readonly rng: Rng;
  private readonly batch: number;
  private readonly pop: number;
  private readonly gens: number;
  private readonly mut: number;
  private readonly interval: number;
  private plan: QueueEntry[] = [];
  private plannedAt = -Infinity;

  constructor(opts: GeneticOptions) {
    super(opts);
    this.rng = opts.rng;
    this.batch = opts.batchSize ?? 24;
    this.pop = opts.population ?? 24;
    this.gens = opts.generations ?? 15;
    this.mut = opts.mutationRate ?? 0.2;
    this.interval = opts.replanInterval ?? 30;
    this.information = opts.information ?? 'predicted';
  }

  protected key(e: QueueEntry): number {
    return e.task.arrival;
  }

  protected override onCommit(e: QueueEntry, d: DispatchDecision, now: number): void {
    void d;
    void now;
    if (e.pending <= 0) this.plan = this.plan.filter((p) => p !== e);
  }

  protected override scanGreedy(cluster: ClusterState, now: number): DispatchDecision | null {
    if (now - this.plannedAt >= this.interval || this.plan.length === 0) this.replan(cluster.unitCapacity, now);
    const maxFree = cluster.maxFree();
    for (const e of this.plan) {
      if (e.pending <= 0 || !fitsIn(e.task.request, maxFree)) continue;
      const d = this.tryPlace(e, cluster);
      if (d) return d;
    }
    return super.scanGreedy(cluster, now);
  }

  /** Evolve an order for the oldest tasks; exposed for tests through `planOrder`. */
  replan(unit: Resources, now: number): void {
    const batch: QueueEntry[] = [];
    for (let i = 0; i < this.index.size && batch.length < this.batch; i++) {
      const e = this.index.at(i);
      if (e) batch.push(e);
    }
    this.plannedAt = now;
    if (batch.length <= 1) {
      this.plan = batch;
      return;
    }
    const dur = batch.map((e) => durationEstimate(e.task, this.information));
    const area = batch.map((e, i) => (dur[i] ?? 0) * Math.max(dominantShare(e.task.request, unit), 1e-6));
    const count = batch.map((e) => e.pending);
    const fitness = (perm: number[]): number => {
      let t = 0;
      let cost = 0;
      for (const i of perm) {
        cost += (count[i] ?? 0) * t;
        t += (area[i] ?? 0) * (count[i] ?? 0);
      }
      return cost;
    };
    const n = batch.length;
    const identity = Array.from({ length: n }, (_, i) => i);
    let population: number[][] = [identity];
    while (population.length < this.pop) population.push(this.shuffle(identity.slice()));
    for (let g = 0; g < this.gens; g++) {
      const scored = population.map((p) => ({ p, f: fitness(p) })).sort((a, b) => a.f - b.f);
      const next: number[][] = [scored[0]?.p ?? identity, scored[1]?.p ?? identity];
      const pick = (): number[] => {
        const a = scored[Math.floor(this.rng.next() * scored.length)];
        const b = scored[Math.floor(this.rng.next() * scored.length)];
        return (a && b && a.f <= b.f ? a.p : b?.p) ?? identity;
      };
      while (next.length < this.pop) {
        const child = orderCrossover(pick(), pick(), this.rng);
        if (this.rng.next() < this.mut) {
          const i = Math.floor(this.rng.next() * n);
          const j = Math.floor(this.rng.next() * n);
          const tmp = child[i] ?? 0;
          child[i] = child[j] ?? 0;
          child[j] = tmp;
        }
        next.push(child);
      }
      population = next;
    }
    const best = population.map((p) => ({ p, f: fitness(p) })).sort((a, b) => a.f - b.f)[0]?.p ?? identity;
    this.plan = best.map((i) => batch[i]).filter((e): e is QueueEntry => e !== undefined);
  }

  planOrder(): string[] {
    return this.plan.map((e) => e.task.id);
  }

  private shuffle(a: number[]): number[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      const t = a[i] ?? 0;
      a[i] = a[j] ?? 0;
      a[j] = t;
    }
    return a;
  }
}

/** OX1: copy a slice from parent a, fill the rest in parent b's order. */
export function orderCrossover(a: readonly number[], b: readonly number[], rng: Rng): number[] {
  const n = a.length;
  const i = Math.floor(rng.next() * n);
  const j = i + Math.floor(rng.next() * (n - i));
  const child = new Array<number>(n).fill(-1);
  const used = new Set<number>();
  for (let k = i; k <= j; k++) {
    const v = a[k] ?? 0;
    child[k] = v;
    used.add(v);
  }
  let pos = (j + 1) % n;
  for (let k = 0; k < n; k++) {
    const v = b[(j + 1 + k) % n] ?? 0;
    if (used.has(v)) continue;
    while (child[pos] !== -1) pos = (pos + 1) % n;
    child[pos] = v;
    used.add(v);
  }
  return child;
}

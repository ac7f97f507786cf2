import { PyIntDict, tupleHash } from './cad-ose.py2-compat';

/**
 * The context memory of CAD OSE (Contextual Anomaly Detector, open-source edition, M. Smirnov 2016),
 * ported from NAB's nab/detectors/context_ose/context_operator.py. A context is a pair (left facts,
 * right facts): "after this set of facts, these facts followed". Contexts are stored as pairs of
 * semi-contexts so that contexts sharing a side share its bookkeeping. Each step the stream's facts are
 * crossed with every semi-context (which of its facts are present now).
 */

/** A semi-context (one side of some contexts) and its crossing with the current facts. */
interface SemiContext {
  /** Facts of this semi-context present in the last crossing, in crossing order. */
  crossed: number[];
  readonly size: number;
  crossedCount: number;
  readonly hash: bigint;
}

interface LeftSemiContext extends SemiContext {
  /** Right semi-context id → context id. */
  readonly contexts: PyIntDict;
}

interface Context {
  /** Right facts predicted (sum of right-side sizes), hit, and times fully confirmed. */
  predicted: number;
  hits: number;
  activations: number;
  readonly rightFacts: readonly number[];
  zeroLevel: boolean;
  readonly leftHash: bigint;
  readonly rightHash: bigint;
}

/** [context id, activations, left hash, right hash]: an active context and its sort key. */
export type ActiveContext = readonly [number, number, bigint, bigint];
export type FactPair = readonly [readonly number[], readonly number[]];

class SemiContextStore<S extends SemiContext> {
  readonly list: S[] = [];
  readonly byKey = new Map<string, number>();
  readonly byFact = new Map<number, S[]>();
  crossedList: S[] = [];

  /** The id of the semi-context with these facts, creating it (via `make`) if new. */
  idOf(facts: readonly number[], make: (facts: readonly number[]) => S): number {
    const key = facts.join(',');
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const id = this.list.length;
    const semi = make(facts);
    this.byKey.set(key, id);
    this.list.push(semi);
    for (const f of facts) {
      const holders = this.byFact.get(f);
      if (holders) holders.push(semi);
      else this.byFact.set(f, [semi]);
    }
    return id;
  }

  /** Crosses every semi-context with `facts`; returns those with at least one fact present. */
  cross(facts: readonly number[]): S[] {
    for (const s of this.crossedList) {
      s.crossed = [];
      s.crossedCount = 0;
    }
    for (const f of facts) for (const s of this.byFact.get(f) ?? []) s.crossed.push(f);
    const crossed: S[] = [];
    for (const s of this.list) {
      s.crossedCount = s.crossed.length;
      if (s.crossedCount > 0) crossed.push(s);
    }
    this.crossedList = crossed;
    return crossed;
  }
}

export class ContextOperator {
  private readonly left = new SemiContextStore<LeftSemiContext>();
  private readonly right = new SemiContextStore<SemiContext>();
  private readonly contexts: Context[] = [];
  /** The zero-level context created this step (Python's False == 0, so context 0 is always skipped). */
  private newContextId = 0;

  constructor(private readonly maxLeftSemiContextsLength: number) {}

  /** Stores a zero-level context; true when it was new. */
  addZeroLevelContext(pair: FactPair): boolean {
    const { id, isNew } = this.getOrCreate(pair, true);
    if (isNew) this.newContextId = id;
    else this.contexts[id].zeroLevel = true;
    return isNew;
  }

  /** Stores contexts (not zero-level); returns how many were new. */
  addContexts(pairs: readonly FactPair[]): number {
    let added = 0;
    for (const pair of pairs) if (this.getOrCreate(pair, false).isNew) added++;
    return added;
  }

  /**
   * Right crossing with the current sensor facts, then review of the left semi-contexts crossed last
   * step: updates prediction statistics and returns the active (fully confirmed) contexts, how many
   * contexts were selected (left side fully present), and the potential new contexts.
   */
  crossRight(facts: readonly number[], newContextFlag: boolean): { active: ActiveContext[]; selected: number; potential: FactPair[] } {
    this.right.cross(facts);
    const active: ActiveContext[] = [];
    const potential: FactPair[] = [];
    let selected = 0;
    for (const leftSemi of this.left.crossedList) {
      const leftComplete = leftSemi.size === leftSemi.crossedCount;
      const mayExtend = newContextFlag && leftSemi.crossedCount <= this.maxLeftSemiContextsLength;
      leftSemi.contexts.forEach((rightId, contextId) => {
        if (contextId === this.newContextId) return;
        const ctx = this.contexts[contextId];
        const rightSemi = this.right.list[rightId];
        if (leftComplete) {
          selected++;
          ctx.predicted += rightSemi.size;
          if (rightSemi.crossedCount > 0) {
            ctx.hits += rightSemi.crossedCount;
            if (rightSemi.size === rightSemi.crossedCount) {
              ctx.activations++;
              active.push([contextId, ctx.activations, ctx.leftHash, ctx.rightHash]);
            } else if (ctx.zeroLevel && mayExtend) {
              potential.push([[...leftSemi.crossed], [...rightSemi.crossed]]);
            }
          }
        } else if (ctx.zeroLevel && mayExtend && rightSemi.crossedCount > 0) {
          potential.push([[...leftSemi.crossed], [...rightSemi.crossed]]);
        }
      });
    }
    this.newContextId = 0;
    return { active, selected, potential };
  }

  /**
   * Stores the potential new contexts, then crosses the left semi-contexts with `facts` (sensor facts
   * plus active neurons) and predicts the right facts of the fully matched contexts with the best
   * hit ratio. Returns the number of new contexts and the predicted facts.
   */
  crossLeft(facts: readonly number[], potential: readonly FactPair[]): { added: number; predictions: Set<number> } {
    const added = potential.length > 0 ? this.addContexts(potential) : 0;
    let bestWeight = 0;
    let best: Context[] = [];
    for (const semi of this.left.cross(facts)) {
      if (semi.size !== semi.crossedCount) continue;
      semi.contexts.forEach((_rightId, contextId) => {
        const ctx = this.contexts[contextId];
        const weight = ctx.predicted > 0 ? ctx.hits / ctx.predicted : 0;
        if (weight > bestWeight) {
          bestWeight = weight;
          best = [ctx];
        } else if (weight === bestWeight) best.push(ctx);
      });
    }
    const predictions = new Set<number>();
    for (const ctx of best) for (const f of ctx.rightFacts) predictions.add(f);
    return { added, predictions };
  }

  private getOrCreate([leftFacts, rightFacts]: FactPair, zeroLevel: boolean): { id: number; isNew: boolean } {
    const leftId = this.left.idOf(leftFacts, (facts) => ({
      crossed: [],
      size: facts.length,
      crossedCount: 0,
      hash: tupleHash(facts),
      contexts: new PyIntDict(),
    }));
    const rightId = this.right.idOf(rightFacts, (facts) => ({ crossed: [], size: facts.length, crossedCount: 0, hash: tupleHash(facts) }));
    const leftSemi = this.left.list[leftId];
    const next = this.contexts.length;
    const id = leftSemi.contexts.setdefault(rightId, next);
    if (id !== next) return { id, isNew: false };
    this.contexts.push({
      predicted: 0,
      hits: 0,
      activations: 0,
      rightFacts,
      zeroLevel,
      leftHash: leftSemi.hash,
      rightHash: this.right.list[rightId].hash,
    });
    return { id, isNew: true };
  }
}

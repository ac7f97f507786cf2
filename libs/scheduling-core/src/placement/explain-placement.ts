import type { DecisionCandidate, DecisionRecord, ScoreComponent } from '@kairos/contracts';
import type { ClusterState } from '../model/cluster-state';
import type { NodeState } from '../model/node.model';
import { RESOURCE_KEYS, alignment, dominantShare, type Resources } from '../model/resources';
import type { Task } from '../model/task.model';

/**
 * Version of the placement scores below: bump it when a strategy's score (or this re-scoring of it) changes,
 * so stored decision records say which formula produced their components.
 */
export const PLACEMENT_EXPLAINER_VERSION = '1';

/** What the caller knows about the task and the pass (the placement itself only sees the task and the cluster). */
export interface PlacementDecisionContext {
  decisionId: string;
  /** ISO time of the decision. */
  at: string;
  /** The platform task placed (one instance of the policy's job). */
  taskId: string;
  workflowRunId?: string | null;
  /** The queue's ordering policy that picked this task now. */
  orderingPolicy: string;
  queue: string;
  /** Time the task waited since it was created, at decision time. */
  waitingMs: number;
  /** Ready tasks of the queue when it was picked (this one included). */
  queueLength: number;
  /** The analyzer's p50 estimate the ordering saw, when there was one. */
  estimateP50Ms: number | null;
  attempt: number;
  /** How many node candidates to list in full (the summary, chosen and runner-up are always kept). */
  maxCandidates?: number;
}

/**
 * One node as re-scored for the record. Only the score and rank are computed for every node; the score
 * components and the exclusion text are built for the nodes the record lists (chosen, runner-up, the
 * first `maxCandidates`), so a record costs a few numbers per node, not a dozen objects and a string.
 */
interface Scored {
  node: NodeState;
  eligible: boolean;
  /** Lower `rank` wins (scores are turned into one comparable key per strategy). */
  rank: number[];
  score: number | null;
}

interface Scorer {
  objective: 'max' | 'min';
  /** What the score means, for the summary. */
  what: string;
  /** The node's entry: its score and rank (and whether the task fits it, `entry`). */
  score(task: Task, n: NodeState, cluster: ClusterState): Scored;
  components(task: Task, n: NodeState, cluster: ClusterState): ScoreComponent[];
}

const term = (name: string, input: number, weight = 1): ScoreComponent => ({ name, input: round(input), weight, contribution: round(input * weight) });
/** Shown for people, not part of the score. */
const info = (name: string, input: number): ScoreComponent => ({ name, input: round(input), weight: 0, contribution: 0 });
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function freeAfter(task: Task, n: NodeState): ScoreComponent[] {
  const share = (k: 'cpuMillis' | 'memMb'): number => (n.capacity[k] > 0 ? (n.free[k] - task.request[k]) / n.capacity[k] : 0);
  return [info('free_cpu_after_share', share('cpuMillis')), info('free_mem_after_share', share('memMb'))];
}

/** One literal per node with every field (no properties added later: one allocation, one shape). */
const entry = (task: Task, n: NodeState, score: number | null, rank: number[]): Scored => ({ node: n, eligible: fits(task, n), rank, score });

/** Component names of best-fit, built once (not per node and record). */
const LEFT_AFTER = Object.fromEntries(RESOURCE_KEYS.map((k) => [k, `${k}_left_after`])) as Record<(typeof RESOURCE_KEYS)[number], string>;

/** The score each placement strategy maximises or minimises, re-computed exactly as its `choose` does. */
const SCORERS: Record<string, Scorer> = {
  'least-loaded': {
    objective: 'min',
    what: 'lowest dominant allocated share',
    score: (task, n) => {
      const load = dominantShare(n.allocated, n.capacity);
      return entry(task, n, round(load), [load, n.running, n.index]);
    },
    components: (task, n) => [term('dominant_allocated_share', dominantShare(n.allocated, n.capacity)), info('running_instances', n.running), ...freeAfter(task, n)],
  },
  'least-connections': {
    objective: 'min',
    what: 'fewest running instances',
    score: (task, n) => entry(task, n, n.running, [n.running, n.index]),
    components: (task, n) => [term('running_instances', n.running), ...freeAfter(task, n)],
  },
  tetris: {
    objective: 'max',
    what: 'best alignment of request and free capacity',
    score: (task, n, cluster) => {
      const s = alignment(task.request, n.free, cluster.unitCapacity);
      return entry(task, n, round(s), [-s, n.index]);
    },
    components: (task, n, cluster) => [term('request_free_alignment', alignment(task.request, n.free, cluster.unitCapacity)), ...freeAfter(task, n)],
  },
  'best-fit': {
    objective: 'min',
    what: 'least normalised free space left after the fit',
    score: (task, n, cluster) => {
      // As BestFitPlacement.choose, term by term in RESOURCE_KEYS order (named fields: no boxed numbers).
      const u = cluster.unitCapacity;
      const f = n.free;
      const r = task.request;
      let left = 0;
      if (u.cpuMillis > 0) left += (f.cpuMillis - r.cpuMillis) / u.cpuMillis;
      if (u.memMb > 0) left += (f.memMb - r.memMb) / u.memMb;
      if (u.gpu > 0) left += (f.gpu - r.gpu) / u.gpu;
      if (u.io > 0) left += (f.io - r.io) / u.io;
      if (u.net > 0) left += (f.net - r.net) / u.net;
      return entry(task, n, round(left), [left, n.index]);
    },
    components: (task, n, cluster) => {
      const unit = cluster.unitCapacity;
      const parts: ScoreComponent[] = [];
      for (const k of RESOURCE_KEYS) {
        if (unit[k] <= 0) continue;
        const v = (n.free[k] - task.request[k]) / unit[k];
        if (k === 'cpuMillis' || k === 'memMb' || v !== 0) parts.push(term(LEFT_AFTER[k], v));
      }
      return parts;
    },
  },
};

function excluded(task: Task, n: NodeState): string | undefined {
  if (!n.up) return 'node down, cordoned or out of slots';
  for (const k of RESOURCE_KEYS) if (task.request[k] > n.free[k]) return `did not fit: ${k} ${task.request[k]} > free ${n.free[k]}`;
  return undefined;
}

/** excluded(task, n) === undefined, without building the text. */
function fits(task: Task, n: NodeState): boolean {
  if (!n.up) return false;
  for (const k of RESOURCE_KEYS) if (task.request[k] > n.free[k]) return false;
  return true;
}

function candidateOf(s: Scored, task: Task, cluster: ClusterState, scorer: Scorer | undefined): DecisionCandidate {
  const excludedBy = s.eligible ? undefined : excluded(task, s.node);
  const components = scorer ? scorer.components(task, s.node, cluster) : freeAfter(task, s.node);
  return { id: s.node.id, score: s.score, components, eligible: s.eligible, ...(excludedBy !== undefined ? { excludedBy } : {}) };
}

/** Sign of the first rank component differing by more than 1e-12 (sorts only read the sign; ±1 stays a small integer). */
function cmpRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (Math.abs(d) > 1e-12) return d > 0 ? 1 : -1;
  }
  return 0;
}

const vec = (r: Resources): { cpuMillis: number; memMb: number; gpu: number } => ({ cpuMillis: r.cpuMillis, memMb: r.memMb, gpu: r.gpu });

/**
 * The decision record of one placement: call it with the cluster exactly as the strategy saw it (before the
 * chosen node is allocated). Scored strategies (least-loaded, least-connections, tetris, best-fit) get every
 * node's score components, the runner-up by the same ranking and a confidence from the normalised margin;
 * order-based strategies (round-robin, weighted-round-robin, consistent-hash) have no score: their runner-up
 * is the next fitting node and their confidence is null. O(nodes).
 */
export function explainPlacement(placement: string, task: Task, cluster: ClusterState, chosenIndex: number, ctx: PlacementDecisionContext): DecisionRecord {
  const scorer = SCORERS[placement];
  const chosenNode = cluster.nodes[chosenIndex];
  if (!chosenNode) throw new RangeError(`explainPlacement: node index ${chosenIndex} is not in the cluster (${cluster.size} nodes)`);
  const all: Scored[] = cluster.nodes.map((n) => {
    if (!scorer) return entry(task, n, null, [n.index]);
    return scorer.score(task, n, cluster);
  });
  const candidateOfNode = (s: Scored) => candidateOf(s, task, cluster, scorer);
  const chosen = all[chosenIndex]!;
  const others = all.filter((s) => s.node.index !== chosenIndex);
  const eligibleOthers = others.filter((s) => s.eligible);
  let runnerUp: DecisionRecord['runnerUp'] = null;
  let confidence: number | null = null;
  if (eligibleOthers.length) {
    // Scored: the best other node by the strategy's ranking. Order-based: the next fitting node after the chosen one.
    const ru = scorer ? [...eligibleOthers].sort((a, b) => cmpRank(a.rank, b.rank))[0]! : (eligibleOthers.find((s) => s.node.index > chosenIndex) ?? eligibleOthers[0]!);
    const margin = chosen.score !== null && ru.score !== null ? round(Math.abs(chosen.score - ru.score)) : null;
    const chosenFirst = cmpRank(chosen.rank, ru.rank) <= 0;
    let reason: 'lower_score' | 'tie_break' | 'constraint';
    let detail: string;
    if (!scorer) {
      reason = 'tie_break';
      detail = `${placement} has no score: ${ru.node.id} comes later in its order`;
    } else if (!chosenFirst) {
      reason = 'constraint';
      detail = `policy ${ctx.orderingPolicy} placed outside ${placement}'s ranking (its own node choice)`;
    } else if (margin !== null && margin > 1e-9) {
      reason = 'lower_score';
      detail = `${scorer.what}: ${chosen.score} vs ${ru.score}`;
    } else {
      reason = 'tie_break';
      detail = 'equal score; fewer running instances, then lower node index';
    }
    runnerUp = { candidate: candidateOfNode(ru), reason, margin, detail };
    if (scorer && margin !== null) {
      const scores = [chosen, ...eligibleOthers].map((s) => s.score ?? 0);
      const spread = Math.max(...scores) - Math.min(...scores);
      confidence = reason === 'lower_score' && spread > 0 ? round(Math.min(1, margin / spread)) : 0;
    }
  } else {
    const blocked = others[0];
    if (blocked) runnerUp = { candidate: candidateOfNode(blocked), reason: blocked.node.up ? 'did_not_fit' : 'constraint', margin: null, detail: blocked.eligible ? undefined : excluded(task, blocked.node) };
    if (scorer) confidence = 1;
  }
  const limit = ctx.maxCandidates ?? 16;
  const ranked = scorer ? [...all].sort((a, b) => Number(b.eligible) - Number(a.eligible) || cmpRank(a.rank, b.rank)) : all;
  const candidates = ranked.slice(0, limit).map(candidateOfNode);
  const ruText = runnerUp ? `; runner-up ${runnerUp.candidate.id} (${runnerUp.reason}${runnerUp.margin !== null ? `, margin ${runnerUp.margin}` : ''})` : '; no other node';
  const summary = `${chosenNode.id} by ${placement}${scorer ? ` (${scorer.what}, score ${chosen.score})` : ''} for a ${ctx.orderingPolicy} pick after ${Math.round(ctx.waitingMs)} ms waiting${ruText}`.slice(0, 500);
  return {
    schemaVersion: 1,
    decisionId: ctx.decisionId,
    kind: 'placement',
    at: ctx.at,
    policy: { name: placement, version: PLACEMENT_EXPLAINER_VERSION },
    taskId: ctx.taskId,
    nodeId: chosenNode.id,
    ...(ctx.workflowRunId !== undefined ? { workflowRunId: ctx.workflowRunId } : {}),
    objective: scorer?.objective ?? 'max',
    chosen: candidateOfNode(chosen),
    runnerUp,
    inputs: {
      ...(ctx.estimateP50Ms !== null ? { estimate: { p50Ms: ctx.estimateP50Ms, quantile: { level: 0.5, valueMs: ctx.estimateP50Ms }, model: null } } : {}),
      requests: vec(task.request),
      nodeFree: vec(chosenNode.free),
      waitingMs: Math.max(0, ctx.waitingMs),
      queueLength: ctx.queueLength,
      attempt: Math.max(1, ctx.attempt),
      extra: { orderingPolicy: ctx.orderingPolicy, queue: ctx.queue, priority: task.priority, jobInstances: task.instances },
    },
    confidence,
    candidatesConsidered: all.length,
    candidates,
    candidatesSampled: candidates.length < all.length,
    summary,
  };
}

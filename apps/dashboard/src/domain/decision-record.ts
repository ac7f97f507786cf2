// "Why this node, why now": the placement decision record the task detail shows. The executor records one
// per claimed task (libs/contracts DecisionRecord, served by GET /api/tasks/:id/decisions);
// `fromContractRecord` turns it into the panel's shape below, where scores are "higher is better" and a
// score is the sum of its components' value × weight (a "lower is better" policy's score and weights are
// negated, so the sum still holds and the margin is positive when the chosen node won).
//
// {
//   "taskId": "…", "attempt": 1, "decidedAt": "2026-11-29T22:48:44.169Z",
//   "policy":   { "queue": "default", "ordering": "priority", "placement": "least-loaded" },
//   "whyNow":   "highest priority in queue default (1st of 4 queued); node n0 had 1.9 cores free",
//   "inputs":   { "queueDepth": 4, "waitedMs": 120, "priority": 50, "predictedP50Ms": 300,
//                 "predictedP90Ms": 900, "requestedCpuMillis": 100, "requestedMemMb": 64, "candidates": 3 },
//   "chosen":   { "nodeId": "n0", "score": 0.82, "components": [{ "name": "free cpu", "value": 0.95, "weight": 0.6 }, …] },
//   "runnerUp": { "nodeId": "n1", "score": 0.61, "components": […], "rejectedBecause": "lower free CPU" } | null,
//   "confidence": 0.74 | null
// }
import type { DecisionRecord as ContractDecisionRecord } from '@kairos/contracts';
import * as z from 'zod/mini';
import { formatDuration, formatMb, formatNumber, formatPercent } from './format';

const ScoreComponentSchema = z.object({ name: z.string(), value: z.number(), weight: z.number() });
const NodeScoreSchema = z.object({
  nodeId: z.string(),
  score: z.number(),
  components: z.array(ScoreComponentSchema),
  rejectedBecause: z.optional(z.string()),
});
const InputValue = z.nullable(z.union([z.number(), z.string()]));

export const DecisionRecordSchema = z.object({
  taskId: z.string(),
  attempt: z.number(),
  decidedAt: z.string(),
  policy: z.object({ queue: z.string(), ordering: z.string(), placement: z.string() }),
  whyNow: z.string(),
  inputs: z.record(z.string(), InputValue),
  chosen: NodeScoreSchema,
  runnerUp: z.nullable(NodeScoreSchema),
  confidence: z.nullable(z.number().check(z.gte(0), z.lte(1))),
});

export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;
export type ScoreComponent = z.infer<typeof ScoreComponentSchema>;

type ContractCandidate = ContractDecisionRecord['chosen'];

/**
 * The records the panel shows from GET /api/tasks/:id/decisions (oldest first): the latest placement, and
 * the ordering decision of the same start (same time) when the policy recorded one.
 */
export function latestPlacement(items: readonly unknown[]): { placement: unknown; ordering: ContractDecisionRecord | null } {
  const stored = items.filter(isContractRecord);
  const placement = [...stored].reverse().find((d) => d.kind === 'placement');
  if (!placement) return { placement: items.length && !stored.length ? items[items.length - 1] : null, ordering: null };
  return { placement, ordering: stored.find((d) => d.kind === 'ordering' && d.at === placement.at) ?? null };
}

/** A stored DecisionRecord (schemaVersion 1) in the panel's "higher is better" shape; `ordering` adds the queue's side to "why now". */
export function fromContractRecord(d: ContractDecisionRecord, orderingRecord: ContractDecisionRecord | null = null): DecisionRecord {
  const sign = d.objective === 'min' ? -1 : 1;
  const node = (c: ContractCandidate, rejectedBecause?: string) => ({
    nodeId: c.id,
    score: sign * (c.score ?? 0),
    components: c.components.map((x) => ({ name: x.name, value: x.input ?? 0, weight: sign * (x.weight ?? 0) })),
    ...(rejectedBecause !== undefined ? { rejectedBecause } : {}),
  });
  const extra = d.inputs.extra ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '–');
  const ordering = text(extra.orderingPolicy);
  const queue = text(extra.queue);
  const inputs: Record<string, number | string | null> = {
    queueDepth: d.inputs.queueLength ?? null,
    waitedMs: d.inputs.waitingMs ?? null,
    priority: typeof extra.priority === 'number' ? extra.priority : null,
    predictedP50Ms: d.inputs.estimate?.p50Ms ?? null,
    requestedCpuMillis: d.inputs.requests?.cpuMillis ?? null,
    requestedMemMb: d.inputs.requests?.memMb ?? null,
    candidates: d.candidatesConsidered,
    'score objective': d.objective === 'min' ? 'lower wins (shown negated)' : 'higher wins',
  };
  const ru = d.runnerUp;
  return {
    taskId: d.taskId ?? '',
    attempt: d.inputs.attempt ?? 1,
    decidedAt: d.at,
    policy: { queue, ordering, placement: `${d.policy.name} v${d.policy.version}` },
    whyNow: `${ordering} ordering picked it from ${d.inputs.queueLength ?? '?'} ready in queue ${queue} after ${formatDuration(d.inputs.waitingMs ?? null)} waiting. ${orderingText(orderingRecord)}${d.summary}`,
    inputs,
    chosen: node(d.chosen),
    runnerUp: ru ? node(ru.candidate, `${ru.reason.replace('_', ' ')}${ru.detail ? `: ${ru.detail}` : ''}`) : null,
    confidence: d.confidence,
  };
}

function orderingText(o: ContractDecisionRecord | null): string {
  if (!o) return '';
  const ru = o.runnerUp;
  const why = ru ? ` ${ru.candidate.id.slice(0, 8)}… came second (${ru.reason.replace('_', ' ')}${ru.detail ? `: ${ru.detail}` : ''}).` : ' No other task was queued.';
  return `Queue: ${o.summary.split(';')[0]}.${why} `;
}

const isContractRecord = (raw: unknown): raw is ContractDecisionRecord => typeof raw === 'object' && raw !== null && (raw as { schemaVersion?: unknown }).schemaVersion === 1;

/** The record when `raw` is a stored DecisionRecord or has the panel's shape, else null (with what was wrong). */
export function parseDecisionRecord(raw: unknown, ordering: ContractDecisionRecord | null = null): { record: DecisionRecord | null; problem: string | null } {
  if (raw === null || raw === undefined) return { record: null, problem: null };
  if (isContractRecord(raw)) {
    try {
      return parseDecisionRecord(fromContractRecord(raw, ordering));
    } catch (e) {
      return { record: null, problem: (e as Error).message };
    }
  }
  const r = DecisionRecordSchema.safeParse(raw);
  if (r.success) return { record: r.data, problem: null };
  const first = r.error.issues[0];
  return { record: null, problem: `${first.path.join('.') || '(root)'}: ${first.message}` };
}

export interface ComponentRow {
  name: string;
  chosenValue: number | null;
  runnerUpValue: number | null;
  weight: number;
  chosenContribution: number | null;
  runnerUpContribution: number | null;
  /** chosen − runner-up contribution: how much this component favoured the chosen node. */
  advantage: number | null;
}

export interface DecisionPanelModel {
  headline: string;
  whyNow: string;
  inputs: Array<{ label: string; value: string }>;
  components: ComponentRow[];
  chosenScore: string;
  runnerUp: { nodeId: string; score: string; margin: string; rejectedBecause: string | null } | null;
  confidence: { value: string; level: 'high' | 'medium' | 'low' | 'unknown' };
  /** Components that do not add up to the stated score (a recording bug worth showing). */
  inconsistent: string[];
}

const INPUT_LABELS: Record<string, { label: string; fmt: (v: number) => string }> = {
  queueDepth: { label: 'queue depth', fmt: (v) => String(v) },
  waitedMs: { label: 'waited', fmt: formatDuration },
  priority: { label: 'priority', fmt: (v) => String(v) },
  predictedP50Ms: { label: 'predicted p50', fmt: formatDuration },
  predictedP90Ms: { label: 'predicted p90', fmt: formatDuration },
  requestedCpuMillis: { label: 'requested CPU', fmt: (v) => `${v} m` },
  requestedMemMb: { label: 'requested memory', fmt: formatMb },
  candidates: { label: 'candidate nodes', fmt: (v) => String(v) },
};

const sumScore = (cs: readonly ScoreComponent[]) => cs.reduce((s, c) => s + c.value * c.weight, 0);

export function confidenceLevel(c: number | null): DecisionPanelModel['confidence']['level'] {
  if (c === null) return 'unknown';
  return c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low';
}

/** What the panel shows, computed from a record: rows sorted by how much each component decided. */
export function decisionPanelModel(d: DecisionRecord): DecisionPanelModel {
  const runner = d.runnerUp;
  const names = [...new Set([...d.chosen.components.map((c) => c.name), ...(runner?.components.map((c) => c.name) ?? [])])];
  const components = names.map((name): ComponentRow => {
    const a = d.chosen.components.find((c) => c.name === name);
    const b = runner?.components.find((c) => c.name === name);
    const weight = a?.weight ?? b?.weight ?? 0;
    const ca = a ? a.value * a.weight : null;
    const cb = b ? b.value * b.weight : null;
    return {
      name,
      chosenValue: a?.value ?? null,
      runnerUpValue: b?.value ?? null,
      weight,
      chosenContribution: ca,
      runnerUpContribution: cb,
      advantage: runner ? (ca ?? 0) - (cb ?? 0) : null,
    };
  });
  components.sort((x, y) => Math.abs(y.advantage ?? y.chosenContribution ?? 0) - Math.abs(x.advantage ?? x.chosenContribution ?? 0) || x.name.localeCompare(y.name));

  const inputs = Object.entries(d.inputs).map(([key, v]) => {
    const known = INPUT_LABELS[key];
    if (v === null) return { label: known?.label ?? key, value: '–' };
    return { label: known?.label ?? key, value: typeof v === 'number' ? (known ? known.fmt(v) : formatNumber(v, 3)) : v };
  });

  const inconsistent: string[] = [];
  for (const s of [d.chosen, ...(runner ? [runner] : [])]) {
    if (s.components.length && Math.abs(sumScore(s.components) - s.score) > 1e-6 * Math.max(1, Math.abs(s.score))) {
      inconsistent.push(`${s.nodeId}: components sum to ${formatNumber(sumScore(s.components), 4)}, score says ${formatNumber(s.score, 4)}`);
    }
  }

  return {
    headline: `Placed on ${d.chosen.nodeId} by ${d.policy.placement} · queue ${d.policy.queue} ordered by ${d.policy.ordering} · attempt ${d.attempt}`,
    whyNow: d.whyNow,
    inputs,
    components,
    chosenScore: formatNumber(d.chosen.score, 3),
    runnerUp: runner
      ? { nodeId: runner.nodeId, score: formatNumber(runner.score, 3), margin: formatNumber(d.chosen.score - runner.score, 3), rejectedBecause: runner.rejectedBecause ?? null }
      : null,
    confidence: { value: d.confidence === null ? 'not estimated' : formatPercent(d.confidence, 0), level: confidenceLevel(d.confidence) },
    inconsistent,
  };
}

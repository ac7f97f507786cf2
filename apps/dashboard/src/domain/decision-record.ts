// "Why this node, why now": the placement decision record the task detail shows. The executor does not
// record decisions yet; this is the shape the dashboard renders once it does (proposed as a `decision`
// field of GET /api/tasks/:id, or GET /api/tasks/:id/decisions for one per attempt). Scores are
// "higher is better"; a score is the sum of its components' value × weight.
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

/** The record when `raw` has the documented shape, else null (with what was wrong). */
export function parseDecisionRecord(raw: unknown): { record: DecisionRecord | null; problem: string | null } {
  if (raw === null || raw === undefined) return { record: null, problem: null };
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

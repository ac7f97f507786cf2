import { DecisionRecordSchema, type DecisionRecord } from './decision-record.schema';
import { PredictionExplanationSchema, type PredictionExplanation } from './prediction-explanation.schema';

const HASH = 'a'.repeat(64);
const AT = '2026-11-29T12:00:00.000Z';

function makeExplanation(over: Partial<Extract<PredictionExplanation, { status: 'explained' }>> = {}): PredictionExplanation {
  return {
    status: 'explained',
    model: { name: 'duration', version: 3, featureSchemaHash: HASH },
    target: 'duration_p50',
    method: 'tree_shap_path_dependent',
    outputSpace: 'log1p_seconds',
    baseValue: 2,
    prediction: 2.75,
    top: [
      { feature: 'job_done_median_log_dur', value: 3.1, contribution: 0.9 },
      { feature: 'plan_cpu', value: null, contribution: -0.2 },
    ],
    restContribution: 0.05,
    featureCount: 46,
    computedAt: AT,
    ...over,
  };
}

function makePlacement(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    schemaVersion: 1,
    decisionId: '3f0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
    kind: 'placement',
    at: AT,
    policy: { name: 'least-loaded', version: '1' },
    taskId: '9a0b1c9e-2a4d-4e5f-8a7b-1c2d3e4f5a6b',
    nodeId: 'node-3',
    objective: 'max',
    chosen: { id: 'node-3', score: 0.42, eligible: true, components: [{ name: 'free_mem_share', input: 0.42, weight: 1, contribution: 0.42 }] },
    runnerUp: {
      candidate: { id: 'node-7', score: 0.31, eligible: true, components: [{ name: 'free_mem_share', input: 0.31, weight: 1, contribution: 0.31 }] },
      reason: 'lower_score',
      margin: 0.11,
    },
    inputs: {
      estimate: { p50Ms: 12_000, quantile: { level: 0.9, valueMs: 30_000 }, model: { name: 'duration', version: 3 }, explanation: makeExplanation() },
      requests: { cpuMillis: 500, memMb: 256, gpu: 0 },
      nodeFree: { cpuMillis: 3500, memMb: 8000, gpu: 0 },
      waitingMs: 40,
    },
    confidence: 0.7,
    candidatesConsidered: 100,
    candidatesSampled: true,
    summary: 'node-3: most free memory after fit (0.42 vs 0.31 on node-7)',
    ...over,
  };
}

function issuePaths(r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }): string[] {
  return (r.error?.issues ?? []).map((i) => i.path.map(String).join('.'));
}

describe('DecisionRecordSchema', () => {
  it('accepts a placement with its runner-up, inputs and an explained estimate', () => {
    expect(DecisionRecordSchema.parse(makePlacement())).toEqual(makePlacement());
  });

  it.each([
    ['a runner-up that scores better under max', { runnerUp: { ...makePlacement().runnerUp!, candidate: { ...makePlacement().runnerUp!.candidate, score: 0.9 } } }, 'runnerUp.candidate.score'],
    ['a placement without a node', { nodeId: null }, 'nodeId'],
    ['an ordering without a task', { kind: 'ordering' as const, taskId: null }, 'taskId'],
    ['an unknown kind', { kind: 'teleport' as unknown as DecisionRecord['kind'] }, 'kind'],
    ['a confidence above 1', { confidence: 1.5 }, 'confidence'],
    ['more candidates listed than considered', { candidatesConsidered: 0, candidates: [makePlacement().chosen] }, 'candidates'],
    ['an unknown field', { extra: 1 } as unknown as Partial<DecisionRecord>, ''],
  ])('rejects %s, naming the field', (_name, over, path) => {
    const r = DecisionRecordSchema.safeParse(makePlacement(over));
    expect(r.success).toBe(false);
    expect(issuePaths(r)).toContain(path);
  });

  it('accepts a diagnosis about a node only, with no runner-up and no confidence', () => {
    const d = makePlacement({ kind: 'diagnosis', taskId: null, runnerUp: null, confidence: null, inputs: { extra: { rule: 'cpu_saturated', cpuBusy: 0.97 } } });
    expect(DecisionRecordSchema.safeParse(d).success).toBe(true);
  });
});

describe('PredictionExplanationSchema', () => {
  it('accepts additive contributions and an "unavailable" answer', () => {
    expect(PredictionExplanationSchema.safeParse(makeExplanation()).success).toBe(true);
    const none = { status: 'unavailable', model: null, target: 'duration_p50', reason: 'no_model', computedAt: AT };
    expect(PredictionExplanationSchema.safeParse(none).success).toBe(true);
  });

  it('rejects contributions that do not add up to the prediction', () => {
    const r = PredictionExplanationSchema.safeParse(makeExplanation({ prediction: 3 }));
    expect(r.success).toBe(false);
    expect(issuePaths(r)).toContain('prediction');
  });

  it('rejects a top list not ordered by |contribution|', () => {
    const e = makeExplanation({
      top: [
        { feature: 'a', value: 1, contribution: -0.2 },
        { feature: 'b', value: 1, contribution: 0.9 },
      ],
    });
    expect(issuePaths(PredictionExplanationSchema.safeParse(e))).toContain('top.1');
  });
});

import { render } from 'preact-render-to-string';
import { PredictionExplanationSchema } from '@kairos/contracts';
import { explanationView, parseEstimateExplanation, unavailableReason, type EstimateExplanation } from '../domain/prediction-explanation';
import { ExplanationPanel } from './explanation-panel';

const MODEL = { name: 'duration', version: 3, featureSchemaHash: 'ab'.repeat(32) };
// base 1.5 + 0.6 − 0.2 + 0.1 (rest) = 2.0 = prediction, in log1p seconds.
const P50 = {
  status: 'explained' as const,
  model: MODEL,
  target: 'duration_p50',
  method: 'tree_shap_path_dependent' as const,
  outputSpace: 'log1p_seconds' as const,
  baseValue: 1.5,
  prediction: 2,
  top: [
    { feature: 'sim_mean', value: 7.5, contribution: 0.6 },
    { feature: 'plan_cpu', value: null, contribution: -0.2 },
  ],
  restContribution: 0.1,
  featureCount: 5,
  computedAt: '2026-11-30T06:00:00.000Z',
};
const FIXTURE = {
  taskId: '00000000-0000-4000-8000-000000000001',
  model: 'duration',
  modelVersion: '3',
  p50Ms: 6389,
  p90Ms: 9000,
  p50: P50,
  p90: { ...P50, target: 'duration_p90' },
  importance: {
    model: MODEL,
    metric: 'mae',
    repeats: 3,
    seed: 1,
    validationRows: 40,
    features: [
      { feature: 'plan_cpu', permutationIncrease: 0.4, permutationStd: 0.1, meanAbsShap: 0.1 },
      { feature: 'sim_mean', permutationIncrease: 2.25, permutationStd: 0.2, meanAbsShap: 0.5 },
    ],
  },
};

describe('prediction explanation ("why this estimate")', () => {
  it('the fixture is a valid contract PredictionExplanation (so the panel reads what the analyzer serves)', () => {
    expect(PredictionExplanationSchema.safeParse(FIXTURE.p50).success).toBe(true);
  });

  it('accepts the served shape and names the bad field otherwise', () => {
    expect(parseEstimateExplanation(FIXTURE).explanation).not.toBeNull();
    expect(parseEstimateExplanation(undefined)).toEqual({ explanation: null, problem: null });
    expect(parseEstimateExplanation({ ...FIXTURE, p50: { ...P50, baseValue: 'x' } }).problem).toMatch(/^p50/);
  });

  it('shows factors e^φ, bars relative to the largest |φ|, the rest and the version importance (hand-computed)', () => {
    const v = explanationView(parseEstimateExplanation(FIXTURE).explanation as EstimateExplanation)!;
    // expm1(1.5) = 3.48 s, expm1(2) = 6.39 s; e^0.6 = 1.82, e^−0.2 = 0.82.
    expect(v.summary).toBe("duration v3: from the training baseline of 3.5 s, this task's features make the p50 6.4 s");
    expect(v.rows.map((r) => [r.feature, r.value, r.contribution, r.factor, r.raises])).toEqual([
      ['sim_mean', '7.5', '+0.6', '×1.82', true],
      ['plan_cpu', 'missing', '−0.2', '×0.82', false],
    ]);
    expect(v.rows[1].share).toBeCloseTo(1 / 3, 10);
    expect(v.rest).toBe('+0.1 from 3 other features');
    expect(v.inconsistent).toBe(false);
    expect(v.globalTop).toEqual([
      { feature: 'sim_mean', increase: '+2.25 s MAE' },
      { feature: 'plan_cpu', increase: '+0.4 s MAE' },
    ]);
    const broken = explanationView({ ...FIXTURE, p50: { ...P50, restContribution: 0.3 } } as EstimateExplanation)!;
    expect(broken.inconsistent).toBe(true);
  });

  it('renders the table, and the reason when there is no attribution', () => {
    const html = render(<ExplanationPanel raw={FIXTURE} />);
    expect(html).toContain('data-feature="sim_mean"');
    expect(html).toContain('×1.82');
    expect(html).toContain('Most important for this version:');
    expect(html).not.toContain('do not add up');
    const ma = { ...FIXTURE, model: 'moving-average', modelVersion: 'v1', importance: null, p50: { status: 'unavailable', model: null, target: 'duration_p50', reason: 'model_not_supported', detail: 'a moving-average estimate has no feature attribution', computedAt: P50.computedAt }, p90: { status: 'unavailable', model: null, target: 'duration_p90', reason: 'model_not_supported', computedAt: P50.computedAt } };
    expect(unavailableReason(parseEstimateExplanation(ma).explanation!)).toBe('this estimate is not a model prediction (a moving-average estimate has no feature attribution)');
    expect(render(<ExplanationPanel raw={ma} />)).toContain('No feature attribution: this estimate is not a model prediction');
    expect(render(<ExplanationPanel raw={undefined} notFound />)).toContain('no duration estimate was recorded');
    expect(render(<ExplanationPanel raw={{ model: 1 }} />)).toContain('explanation unreadable');
  });
});

import { DiagnosisRuleSchema, SEED_RULES } from './diagnosis-rule.schema';
import { conditionConfidence, evaluateRules, linearTrend, type TargetMetrics } from './rule-engine';
import { decideRepairs, DEFAULT_REPAIR_POLICY } from './repair-decision.policy';

const node = (series: TargetMetrics['series']): TargetMetrics => ({ target: { kind: 'node', nodeId: 'n1' }, series });
const flat = (v: number, n = 60, step = 5) => Array.from({ length: n }, (_, i) => ({ t: 1000 + i * step, value: v }));
const NOW = 1000 + 59 * 5;

describe('linearTrend', () => {
  it('matches a hand-computed fit', () => {
    // Points (0,1) (1,3) (2,5): slope 2, perfect fit.
    expect(linearTrend([{ t: 0, value: 1 }, { t: 1, value: 3 }, { t: 2, value: 5 }])).toEqual({ slope: 2, r2: 1 });
    // (0,0) (1,2) (2,1): slope 0.5, r² = 0.25.
    const r = linearTrend([{ t: 0, value: 0 }, { t: 1, value: 2 }, { t: 2, value: 1 }]);
    expect(r.slope).toBeCloseTo(0.5);
    expect(r.r2).toBeCloseTo(0.25);
  });
});

describe('seed rules', () => {
  it.each([
    ['high-cpu', { cpuPercent: flat(97) }, 'cordon_node'],
    ['memory-leak', { memMb: Array.from({ length: 60 }, (_, i) => ({ t: 1000 + i * 5, value: 1000 + i * 5 * 2 + (i % 2) })) }, 'drain_node'],
    ['network-bottleneck', { netPercent: flat(95) }, 'scale_request'],
  ])('%s fires on its symptom', (id, series, kind) => {
    const d = evaluateRules(SEED_RULES, [node(series)], NOW);
    expect(d.map((x) => x.ruleId)).toEqual([id]);
    expect(d[0].action.kind).toBe(kind);
    expect(d[0].confidence).toBeGreaterThan(0.5);
    expect(d[0].explanation).toContain('n1');
  });
  it('stays quiet on a healthy node', () => {
    expect(evaluateRules(SEED_RULES, [node({ cpuPercent: flat(40), memMb: flat(1000), netPercent: flat(10) })], NOW)).toEqual([]);
  });
  it('does not call noisy memory a leak (low R²)', () => {
    const noisy = Array.from({ length: 60 }, (_, i) => ({ t: 1000 + i * 5, value: 1000 + (i % 2 ? 400 : -400) + i }));
    expect(evaluateRules(SEED_RULES, [node({ memMb: noisy })], NOW)).toEqual([]);
  });
});

describe('confidence', () => {
  it('grows with exceedance', () => {
    const at = (value: number) => conditionConfidence({ metric: 'cpu', aggregate: 'avg', value, threshold: 90, samples: 60, met: value > 90, consistency: 1 }, 5);
    expect(at(91)).toBeLessThan(at(95));
    expect(at(95)).toBeLessThan(at(99));
    expect(at(89)).toBe(0);
  });
});

describe('decideRepairs', () => {
  const diag = evaluateRules(SEED_RULES, [node({ cpuPercent: flat(99) })], NOW);
  it('acts above the threshold, in dry-run when asked', () => {
    const [d] = decideRepairs(diag, { ...DEFAULT_REPAIR_POLICY, minConfidence: 0.1, dryRun: true }, new Map(), NOW);
    expect(d).toMatchObject({ suppressed: null, dryRun: true, action: { kind: 'cordon_node', nodeId: 'n1' } });
  });
  it('suppresses below the confidence threshold and within the cooldown', () => {
    expect(decideRepairs(diag, { ...DEFAULT_REPAIR_POLICY, minConfidence: 0.999 }, new Map(), NOW)[0].suppressed).toMatch(/confidence/);
    expect(decideRepairs(diag, { ...DEFAULT_REPAIR_POLICY, minConfidence: 0.1 }, new Map([['high-cpu:n1', NOW - 10]]), NOW)[0].suppressed).toMatch(/cooldown/);
  });
});

describe('DiagnosisRuleSchema', () => {
  it('names the bad field', () => {
    const r = DiagnosisRuleSchema.safeParse({ ...SEED_RULES[0], conditions: [{ metric: 'cpu', aggregate: 'median', windowSec: 10, operator: '>', threshold: 1 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path.join('.')).toBe('conditions.0.aggregate');
  });
  it('rejects an unknown repair action', () => {
    const r = DiagnosisRuleSchema.safeParse({ ...SEED_RULES[0], action: { kind: 'reboot', nodeId: '{nodeId}' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['action']);
  });
});

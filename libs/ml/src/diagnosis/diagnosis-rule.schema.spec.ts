import { formatZodIssues, INPUT_LIMITS, probeStringHygiene } from '@kairos/contracts';
import { DiagnosisRuleIdSchema, DiagnosisRuleSchema, SEED_RULES } from './diagnosis-rule.schema';

const issues = (v: unknown): string[] => {
  const r = DiagnosisRuleSchema.safeParse(v);
  return r.success ? [] : formatZodIssues(r.error);
};

describe('DiagnosisRuleSchema input hygiene', () => {
  it.each(SEED_RULES.map((r) => [r.id, r] as const))('guards every string of the %s rule', (_id, rule) => {
    expect(probeStringHygiene(DiagnosisRuleSchema, rule)).toEqual([]);
  });

  it('refuses a 1 MB id (it is an indexed column and a path parameter) naming the field', () => {
    expect(issues({ ...SEED_RULES[0], id: 'a'.repeat(1 << 20) })).toEqual([`id: must be at most ${INPUT_LIMITS.diagnosisRule.idBytes} bytes`]);
    expect(DiagnosisRuleIdSchema.safeParse('high-cpu').success).toBe(true);
    expect(DiagnosisRuleIdSchema.safeParse('x\u0000').success).toBe(false);
  });

  it('names NUL in a condition metric and in an action value', () => {
    const rule = SEED_RULES[0];
    expect(issues({ ...rule, conditions: [{ ...rule.conditions[0], metric: 'cpu\u0000' }] })).toEqual(['conditions[0].metric: must not contain NUL (\\u0000) at character 3']);
    expect(issues({ ...rule, action: { kind: 'cordon_node', nodeId: '{nodeId}\u0000' } })).toContain('action.nodeId: must not contain NUL (\\u0000) at character 8');
  });

  it('bounds the number of conditions and action entries', () => {
    const rule = SEED_RULES[0];
    const { conditions, actionEntries } = INPUT_LIMITS.diagnosisRule;
    expect(issues({ ...rule, conditions: Array(conditions + 1).fill(rule.conditions[0]) })).toEqual([`conditions: a rule has at most ${conditions} conditions`]);
    const action = Object.fromEntries(Array.from({ length: actionEntries + 1 }, (_, i) => [`k${i}`, 1]));
    expect(issues({ ...rule, action: { ...action, kind: 'cordon_node', nodeId: 'x' } })[0]).toBe(`action: must have at most ${actionEntries} entries (got ${actionEntries + 3})`);
  });
});

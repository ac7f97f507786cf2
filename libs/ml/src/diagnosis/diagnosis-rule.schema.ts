import { z } from 'zod';
import { INPUT_LIMITS, RepairActionSchema, safeRecord, safeString } from '@kairos/contracts';

const D = INPUT_LIMITS.diagnosisRule;

/** A rule id; also the `:id` path parameter of /api/diagnosis/rules/:id. */
export const DiagnosisRuleIdSchema = safeString({ maxBytes: D.idBytes, minLength: 1 }).regex(/^[a-z0-9][a-z0-9-]*$/, 'id must be lower-case letters, digits and -');

/**
 * Diagnosis rules are data (stored and edited through the analyzer's API): conditions over metric
 * windows and the repair action to propose. `{nodeId}` / `{queue}` in the action are filled from the
 * diagnosed target.
 */
export const ConditionSchema = z
  .object({
    metric: safeString({ maxBytes: D.metricBytes, minLength: 1 }),
    aggregate: z.enum(['avg', 'max', 'min', 'last', 'p95', 'slope']),
    windowSec: z.number().int().min(1).max(86_400),
    operator: z.enum(['>', '>=', '<', '<=']),
    threshold: z.number().finite(),
    /** For `slope`: the least-squares fit must explain at least this share of variance. */
    minR2: z.number().min(0).max(1).optional(),
  })
  .strict();
export type Condition = z.infer<typeof ConditionSchema>;

export const DiagnosisRuleSchema = z
  .object({
    id: DiagnosisRuleIdSchema,
    name: safeString({ maxBytes: D.nameBytes, minLength: 1 }),
    description: safeString({ maxBytes: D.descriptionBytes }).default(''),
    enabled: z.boolean().default(true),
    target: z.enum(['node', 'queue']),
    match: z.enum(['all', 'any']).default('all'),
    conditions: z.array(ConditionSchema).min(1, 'a rule needs at least one condition').max(D.conditions, `a rule has at most ${D.conditions} conditions`),
    /** A repair action with placeholders, validated after substitution. */
    action: safeRecord(
      safeString({ maxBytes: D.actionKeyBytes, minLength: 1 }),
      z.union([safeString({ maxBytes: D.actionValueBytes }), z.number().finite(), z.null()]),
      { maxEntries: D.actionEntries },
    ),
    /** Minimum samples in the window for the rule to be trusted at all. */
    minSamples: z.number().int().min(1).max(1_000_000).default(5),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const probe = instantiateAction(rule.action, { nodeId: 'probe', queue: 'probe' });
    const r = RepairActionSchema.safeParse(probe);
    if (!r.success) ctx.addIssue({ code: 'custom', path: ['action'], message: r.error.issues.map((i) => `${i.path.join('.') || 'kind'}: ${i.message}`).join('; ') });
  });
export type DiagnosisRule = z.infer<typeof DiagnosisRuleSchema>;

export function instantiateAction(template: Record<string, string | number | null>, target: { nodeId?: string; queue?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) {
    out[k] = typeof v === 'string' ? v.replace('{nodeId}', target.nodeId ?? '').replace('{queue}', target.queue ?? '') : v;
  }
  return out;
}

/** The seed-000 rules: high CPU, memory leak, network bottleneck. */
export const SEED_RULES: DiagnosisRule[] = [
  {
    id: 'high-cpu',
    name: 'High CPU',
    description: 'Average CPU above 90 % for 5 minutes: stop placing new work on the node until it cools down.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'cpuPercent', aggregate: 'avg', windowSec: 300, operator: '>', threshold: 90 }],
    action: { kind: 'cordon_node', nodeId: '{nodeId}' },
    minSamples: 5,
  },
  {
    id: 'memory-leak',
    name: 'Memory leak',
    description: 'Memory grows steadily over 30 minutes (positive slope that a line explains well): drain the node.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'memMb', aggregate: 'slope', windowSec: 1800, operator: '>', threshold: 0.5, minR2: 0.8 }],
    action: { kind: 'drain_node', nodeId: '{nodeId}' },
    minSamples: 10,
  },
  {
    id: 'network-bottleneck',
    name: 'Network bottleneck',
    description: 'Network utilisation above 85 % (p95 over 5 minutes): ask for one more executor.',
    enabled: true,
    target: 'node',
    match: 'all',
    conditions: [{ metric: 'netPercent', aggregate: 'p95', windowSec: 300, operator: '>', threshold: 85 }],
    action: { kind: 'scale_request', service: 'executor', delta: 1 },
    minSamples: 5,
  },
];

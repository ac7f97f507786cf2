import type { z } from 'zod';
import { SubmitWorkflowSchema, type SubmitWorkflow, type WorkflowTask } from '@kairos/contracts';
import { buildDag, DagCycleError, DagError, type Dag, type DagTaskSpec } from '@kairos/scheduling-core';

export type WorkflowValidation = { ok: true; spec: SubmitWorkflow; dag: Dag } | { ok: false; issues: string[] };

/** `tasks[3].dependsOn[0]` rather than zod's dotted `tasks.3.dependsOn.0`: the form users read in their JSON. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

export function toDagSpecs(tasks: readonly Pick<WorkflowTask, 'key' | 'dependsOn' | 'inputs' | 'outputs'>[]): DagTaskSpec[] {
  return tasks.map((t) => ({ id: t.key, dependsOn: t.dependsOn, inputs: t.inputs, outputs: t.outputs }));
}

/**
 * Shape (zod), then graph checks: unique keys, known dependencies, no self-dependency, no cycle
 * (including edges inferred from declared inputs/outputs). Every issue names the offending field.
 */
export function validateWorkflow(input: unknown): WorkflowValidation {
  const parsed = SubmitWorkflowSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const spec = parsed.data;
  const issues: string[] = [];
  const firstIndex = new Map<string, number>();
  spec.tasks.forEach((t, i) => {
    const prior = firstIndex.get(t.key);
    if (prior !== undefined) issues.push(`tasks[${i}].key: duplicate task key "${t.key}" (first used by tasks[${prior}])`);
    else firstIndex.set(t.key, i);
  });
  spec.tasks.forEach((t, i) =>
    t.dependsOn.forEach((dep, j) => {
      if (!firstIndex.has(dep)) issues.push(`tasks[${i}].dependsOn[${j}]: unknown task key "${dep}"`);
      else if (dep === t.key) issues.push(`tasks[${i}].dependsOn[${j}]: task "${t.key}" depends on itself`);
    }),
  );
  if (issues.length) return { ok: false, issues };
  try {
    return { ok: true, spec, dag: buildDag(toDagSpecs(spec.tasks)) };
  } catch (e) {
    if (e instanceof DagCycleError) return { ok: false, issues: [`tasks: dependency cycle ${e.cycle.join(' -> ')} (explicit dependsOn and inputs/outputs edges)`] };
    if (e instanceof DagError) return { ok: false, issues: [`tasks: ${e.message}`] };
    throw e;
  }
}

function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
}

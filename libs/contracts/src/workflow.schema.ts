import { z } from 'zod';
import { SubmitTaskSchema } from './task.schema';
import { INPUT_LIMITS } from './security/input-limits';
import { safeString, safeStringArray } from './security/safe-string';

const W = INPUT_LIMITS.workflow;
const taskKeyRef = safeString({ maxBytes: W.keyBytes, minLength: 1 });
const filePath = safeString({ maxBytes: W.pathBytes, minLength: 1 });

export const WORKFLOW_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** One node of a workflow: an ordinary task plus its key, explicit dependencies and declared files. */
export const WorkflowTaskSchema = SubmitTaskSchema.omit({ idempotencyKey: true, name: true })
  .extend({
    key: safeString({ maxBytes: W.keyBytes, minLength: 1 }).regex(KEY, 'key must be letters, digits, _ . : - (starting with a letter or digit)'),
    dependsOn: safeStringArray(taskKeyRef, { maxItems: W.edgesPerTask }).default([]),
    inputs: safeStringArray(filePath, { maxItems: W.edgesPerTask }).default([]),
    outputs: safeStringArray(filePath, { maxItems: W.edgesPerTask }).default([]),
  })
  .strict();
export type WorkflowTask = z.infer<typeof WorkflowTaskSchema>;

export const SubmitWorkflowSchema = z
  .object({
    name: safeString({ maxBytes: INPUT_LIMITS.nameBytes, minLength: 1 }),
    tasks: z.array(WorkflowTaskSchema).min(1, 'a workflow needs at least one task').max(W.tasks, `must have at most ${W.tasks} tasks`),
  })
  .strict();
export type SubmitWorkflow = z.infer<typeof SubmitWorkflowSchema>;
export type SubmitWorkflowInput = z.input<typeof SubmitWorkflowSchema>;

export const RerunWorkflowSchema = z
  .object({
    /** Succeeded tasks to run again anyway (with their downstream). */
    force: safeStringArray(taskKeyRef, { maxItems: W.tasks }).default([]),
  })
  .strict();
export type RerunWorkflow = z.infer<typeof RerunWorkflowSchema>;

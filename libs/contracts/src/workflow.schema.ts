import { z } from 'zod';
import { SubmitTaskSchema } from './task.schema';

export const WORKFLOW_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** One node of a workflow: an ordinary task plus its key, explicit dependencies and declared files. */
export const WorkflowTaskSchema = SubmitTaskSchema.omit({ idempotencyKey: true, name: true })
  .extend({
    key: z.string().min(1).max(200).regex(KEY, 'key must be letters, digits, _ . : - (starting with a letter or digit)'),
    dependsOn: z.array(z.string().min(1)).max(10_000).default([]),
    inputs: z.array(z.string().min(1)).max(10_000).default([]),
    outputs: z.array(z.string().min(1)).max(10_000).default([]),
  })
  .strict();
export type WorkflowTask = z.infer<typeof WorkflowTaskSchema>;

export const SubmitWorkflowSchema = z
  .object({
    name: z.string().min(1).max(200),
    tasks: z.array(WorkflowTaskSchema).min(1, 'a workflow needs at least one task').max(10_000),
  })
  .strict();
export type SubmitWorkflow = z.infer<typeof SubmitWorkflowSchema>;
export type SubmitWorkflowInput = z.input<typeof SubmitWorkflowSchema>;

export const RerunWorkflowSchema = z
  .object({
    /** Succeeded tasks to run again anyway (with their downstream). */
    force: z.array(z.string().min(1)).max(10_000).default([]),
  })
  .strict();
export type RerunWorkflow = z.infer<typeof RerunWorkflowSchema>;

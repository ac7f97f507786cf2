/**
 * Retention of finished work, as pure planning: which purge steps one run makes with which cutoffs,
 * and when a step's batch loop stops. No I/O and no clock: the service passes `nowMs`.
 *
 * Steps, in order (whole tasks first, so a task about to go is not rewritten by a later step first):
 * - `tasks`: terminal tasks finished before the cutoff go (delete) or become one compressed archive
 *   row each (archive), with their attempts, attempt process records and events;
 * - `workflows`: finished workflow runs before the cutoff that have no task rows left go (or are archived);
 * - `events`: the (published) lifecycle events of terminal tasks finished before their own cutoff;
 * - `outputs`: the output text of terminal tasks (and their attempts) finished before their own cutoff.
 * An events or outputs cutoff at or before the tasks cutoff has nothing left to do and is skipped.
 */
export const RETENTION_MODES = ['delete', 'archive'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

export interface RetentionSettings {
  /** Days kept after finishing; 0 = forever. */
  tasksDays: number;
  eventsDays: number;
  outputsDays: number;
  mode: RetentionMode;
  /** Rows per transaction. */
  batchSize: number;
  /** Pause between two batches (ms). */
  pauseMs: number;
  /** Run period (ms). */
  intervalMs: number;
}

export type RetentionStepKind = 'tasks' | 'workflows' | 'events' | 'outputs';

export interface RetentionStep {
  kind: RetentionStepKind;
  /** Rows finished strictly before this instant are past retention. */
  cutoff: Date;
  mode: RetentionMode;
}

export const DAY_MS = 86_400_000;

/** The cutoff of a kind kept `days` days (null: kept forever). */
export function cutoffOf(days: number, nowMs: number): Date | null {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`retention days must be a whole number ≥ 0, got ${days}`);
  return days === 0 ? null : new Date(nowMs - days * DAY_MS);
}

/** The steps of one retention run at `nowMs` (empty: nothing is configured to expire). */
export function planRetention(s: Pick<RetentionSettings, 'tasksDays' | 'eventsDays' | 'outputsDays' | 'mode'>, nowMs: number): RetentionStep[] {
  const tasks = cutoffOf(s.tasksDays, nowMs);
  const steps: RetentionStep[] = [];
  if (tasks) steps.push({ kind: 'tasks', cutoff: tasks, mode: s.mode }, { kind: 'workflows', cutoff: tasks, mode: s.mode });
  // Events and outputs dropped alone are gone in both modes: archive keeps whole tasks, not their parts.
  for (const [kind, days] of [['events', s.eventsDays], ['outputs', s.outputsDays]] as const) {
    const c = cutoffOf(days, nowMs);
    if (c && (!tasks || c.getTime() > tasks.getTime())) steps.push({ kind, cutoff: c, mode: 'delete' });
  }
  return steps;
}

/**
 * Whether a step's batch loop goes on after a batch that handled `handled` rows: a short batch means
 * the step ran out of candidates; `maxBatches` bounds one run (the next run goes on where it stopped).
 */
export function continueAfterBatch(handled: number, batchSize: number, batchesDone: number, maxBatches: number): boolean {
  return handled >= batchSize && batchesDone < maxBatches;
}

/** Nothing expires (every RETENTION_*_DAYS unset): the defaults, for tests and callers without config. */
export const RETENTION_OFF: RetentionSettings = { tasksDays: 0, eventsDays: 0, outputsDays: 0, mode: 'archive', batchSize: 500, pauseMs: 200, intervalMs: 3_600_000 };

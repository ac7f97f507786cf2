import { ScheduleSchema, type Schedule, type ScheduleInput } from '@kairos/contracts';
import { compileSchedule, type CompiledSchedule } from '../schedule.model';

/** A valid schedule (noop task, every 5 s, created 2025-01-01T00:00:00Z), validated by the contract. */
export function makeSchedule(overrides: Partial<ScheduleInput> = {}): Schedule {
  return ScheduleSchema.parse({
    id: 'sch-1',
    name: 'reconcile',
    createdAt: '2025-01-01T00:00:00.000Z',
    template: { kind: 'task', task: { run: { kind: 'noop' } } },
    trigger: { kind: 'interval', everyMs: 5_000 },
    ...overrides,
  });
}

export function makeCompiled(overrides: Partial<ScheduleInput> = {}): CompiledSchedule {
  return compileSchedule(makeSchedule(overrides));
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const at = (s: string): number => Date.parse(s);

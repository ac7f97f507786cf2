import { resources, type Resources } from './resources';
import type { Task } from './task.model';

/** Builder for tests and examples: `makeTask({ id: 'a', actual: 10 })`. */
export function makeTask(
  o: Partial<Omit<Task, 'request' | 'duration'>> & {
    request?: Partial<Resources>;
    predicted?: number;
    actual?: number;
    requested?: number;
    predictedStd?: number;
  } = {},
): Task {
  const id = o.id ?? 't';
  return {
    id,
    jobId: o.jobId ?? id,
    tenant: o.tenant ?? 'default',
    priority: o.priority ?? 0,
    request: resources({ cpuMillis: 1000, memMb: 1024, ...o.request }),
    duration: { predicted: o.predicted, actual: o.actual ?? 10, requested: o.requested, predictedStd: o.predictedStd },
    arrival: o.arrival ?? 0,
    instances: o.instances ?? 1,
    gang: o.gang ?? false,
    deadline: o.deadline,
    affinityKey: o.affinityKey,
  };
}

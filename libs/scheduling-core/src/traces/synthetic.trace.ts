import type { Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';
import { resources } from '../model/resources';
import type { Task } from '../model/task.model';

export interface SyntheticOptions {
  readonly tasks: number;
  readonly rng: Rng;
  /** Mean inter-arrival time (Poisson arrivals). */
  readonly meanInterArrival?: number;
  readonly tenants?: number;
  /** Fraction of tasks that are long (heavy tail); durations are log-normal inside each class. */
  readonly longFraction?: number;
  readonly maxInstances?: number;
  /** Multiplicative log-normal noise of predictions around the truth (0 = perfect). */
  readonly predictionNoise?: number;
}

function normal(rng: Rng): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A reproducible bimodal batch workload for tests and quick benchmarks. */
export function syntheticWorkload(o: SyntheticOptions): Task[] {
  if (!Number.isInteger(o.tasks) || o.tasks < 1) throw new SchedulingError('INVALID_ARGUMENT', `tasks must be a positive integer, got ${o.tasks}`);
  const rng = o.rng;
  const gap = o.meanInterArrival ?? 5;
  const tenants = o.tenants ?? 4;
  const longFrac = o.longFraction ?? 0.2;
  const maxInst = o.maxInstances ?? 8;
  const noise = o.predictionNoise ?? 0.3;
  const out: Task[] = [];
  let t = 0;
  for (let i = 0; i < o.tasks; i++) {
    t += -Math.log(Math.max(1e-12, rng.next())) * gap;
    const long = rng.next() < longFrac;
    const actual = Math.max(1, Math.exp((long ? Math.log(600) : Math.log(30)) + 0.5 * normal(rng)));
    const predicted = actual * Math.exp(noise * normal(rng));
    out.push({
      id: `s${i}`,
      jobId: `j${Math.floor(i / 3)}`,
      tenant: `t${Math.floor(rng.next() * tenants)}`,
      priority: Math.floor(rng.next() * 3),
      request: resources({
        cpuMillis: [500, 1000, 2000, 4000][Math.floor(rng.next() * 4)] ?? 1000,
        memMb: [512, 1024, 4096, 8192][Math.floor(rng.next() * 4)] ?? 1024,
        io: Math.floor(rng.next() * 50),
        net: Math.floor(rng.next() * 100),
      }),
      duration: { predicted, predictedStd: predicted * noise, actual, requested: actual * 2 },
      arrival: t,
      instances: 1 + Math.floor(rng.next() * maxInst),
      gang: false,
    });
  }
  return out;
}

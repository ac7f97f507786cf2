import { Injectable } from '@nestjs/common';

/** `down` makes /health answer 503; `degraded` (working, but behind: e.g. events not reaching Kafka) makes /health/ready answer 503. */
export type ComponentStatus = 'up' | 'degraded' | 'down';

/** One component's verdict. */
export interface HealthCheckResult {
  status: ComponentStatus;
  details?: Record<string, unknown>;
}

/** Something /health checks (the database, the bus's consumers, …). */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

/** Facts /health reports without judging them (the analyzer's tfjs backend, the serving model). */
export type HealthFacts = () => Promise<Record<string, unknown>> | Record<string, unknown>;

/**
 * Collects the process's health indicators and facts. Modules register theirs at start-up
 * (onModuleInit), so standalone mode reports all four apps' components on one /health.
 */
@Injectable()
export class HealthRegistry {
  private readonly indicators: HealthIndicator[] = [];
  private readonly facts: HealthFacts[] = [];

  addIndicator(indicator: HealthIndicator): void {
    this.indicators.push(indicator);
  }

  addFacts(facts: HealthFacts): void {
    this.facts.push(facts);
  }

  /** ok: nothing down (liveness); ready: everything up (readiness). */
  async report(): Promise<{ ok: boolean; ready: boolean; components: Record<string, HealthCheckResult>; facts: Record<string, unknown> }> {
    const results = await Promise.all(
      this.indicators.map(async (i): Promise<[string, HealthCheckResult]> => {
        try {
          return [i.name, await i.check()];
        } catch (err) {
          return [i.name, { status: 'down', details: { error: (err as Error).message } }];
        }
      }),
    );
    const facts = Object.assign({}, ...(await Promise.all(this.facts.map((f) => f()))));
    return { ok: results.every(([, r]) => r.status !== 'down'), ready: results.every(([, r]) => r.status === 'up'), components: Object.fromEntries(results), facts };
  }
}

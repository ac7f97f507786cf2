import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import pino from 'pino';
import { EVENT_BUS, InProcessEventBus, KairosBusClient, type EventBus } from '@kairos/bus';
import { DATABASE } from '@kairos/persistence';
import { CLOCK, LOGGER, loadConfig, systemClock, type Clock, type KairosConfig } from '@kairos/platform';
import { HealthRegistry } from '../health/health.registry';
import { BUS_CLIENT, CONFIG, PROCESS_IDENTITY } from '../tokens';

/** A Database stand-in for unit tests: any query fails loudly (override the repositories instead). */
const unusableDatabase = {
  embedded: true,
  async query(): Promise<never> {
    throw new Error('unit test touched the database: override the repository provider with a fake');
  },
  async transaction(): Promise<never> {
    throw new Error('unit test touched the database: override the repository provider with a fake');
  },
  async ping(): Promise<void> {},
  async close(): Promise<void> {},
};

export interface TestCoreOptions {
  service?: string;
  config?: Partial<KairosConfig>;
  clock?: Clock;
  /** Default: a fresh in-process bus. */
  bus?: EventBus;
}

/**
 * For unit tests: what KairosCoreModule provides to every app module (CONFIG, LOGGER,
 * PROCESS_IDENTITY, CLOCK, DATABASE, EVENT_BUS, BUS_CLIENT, HealthRegistry) without a database or a
 * broker. Import it next to an app module in a Nest testing module and override the app's repositories
 * with in-memory fakes; DATABASE refuses every query, so a missed override fails loudly.
 */
export function kairosTestCoreModule(opts: TestCoreOptions = {}): DynamicModule {
  const bus = opts.bus ?? new InProcessEventBus();
  @Global()
  @Module({})
  class KairosTestCoreModule {}
  const providers: Provider[] = [
    { provide: CONFIG, useValue: loadConfig({}, { LOG_LEVEL: 'silent', ...opts.config }) },
    { provide: LOGGER, useValue: pino({ level: 'silent' }) },
    { provide: PROCESS_IDENTITY, useValue: { service: opts.service ?? 'test', instanceId: 'test-instance' } },
    { provide: CLOCK, useValue: opts.clock ?? systemClock },
    { provide: DATABASE, useValue: unusableDatabase },
    { provide: EVENT_BUS, useValue: bus },
    { provide: BUS_CLIENT, useValue: new KairosBusClient(bus) },
    HealthRegistry,
  ];
  return { module: KairosTestCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
}

import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import pino from 'pino';
import { EVENT_BUS, isConsumerDown, KairosBusClient, type ConsumerStatus, type EventBus, type EventHandler, type SubscribeOptions } from '@kairos/bus';
import type { Envelope, Topic } from '@kairos/contracts';
import { DATABASE } from '@kairos/persistence';
import { CLOCK, LOGGER, loadConfig, type Clock, type KairosConfig } from '@kairos/platform';
import { BUS_CLIENT, CONFIG, HealthRegistry, PROCESS_IDENTITY, type AppIdentity } from '@kairos/runtime';

/**
 * Reusable in-memory fakes of the ports every app takes by injection (immich's test/ fakes, in spirit):
 * services are unit-tested with these, no PostgreSQL, no Kafka. App-specific repositories have their
 * in-memory fakes next to the app's specs (apps/<app>/test/fakes/).
 */

/** A Clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

/** The validated config with test overrides (defaults otherwise), as the apps read it. */
export function testConfig(overrides: Partial<KairosConfig> = {}): KairosConfig {
  return loadConfig({}, { LOG_LEVEL: 'silent', ...overrides });
}

/** An app identity with a silent logger. */
export function testIdentity(app: string, instanceId = `${app}-test`): AppIdentity {
  return { app, instanceId, logger: pino({ level: 'silent' }) };
}

/** Counts kicks (an outbox relay or a scheduler poked after a commit). */
export class KickCounter {
  kicks = 0;
  kick(): void {
    this.kicks++;
  }
}

/**
 * An EventBus that keeps what was published and lets a test deliver envelopes to the subscribed
 * handlers by hand (no validation, no retries: those are the real adapters' job, tested in libs/bus).
 */
export class RecordingEventBus implements EventBus {
  readonly kind = 'recording';
  readonly published: Envelope[] = [];
  readonly raw: Array<{ topic: string; key: string | null; bytes: Buffer }> = [];
  private readonly handlers: Array<{ topic: string; group: string; handler: EventHandler<Topic> }> = [];
  private states = new Map<string, ConsumerStatus>();
  started = false;
  closed = false;

  async publish<T extends Topic>(event: Envelope<T>): Promise<void> {
    this.published.push(event);
  }
  async publishBatch(events: Envelope[]): Promise<void> {
    this.published.push(...events);
  }
  async publishRaw(topic: string, key: string | null, bytes: Buffer): Promise<void> {
    this.raw.push({ topic, key, bytes });
  }
  async subscribe<T extends Topic>(topic: T, options: SubscribeOptions, handler: EventHandler<T>): Promise<void> {
    this.handlers.push({ topic, group: options.group, handler: handler as unknown as EventHandler<Topic> });
    const s = this.states.get(options.group) ?? { group: options.group, topics: [], state: 'idle', crashes: 0, lastError: null, since: new Date(0).toISOString() };
    s.topics.push(topic);
    this.states.set(options.group, s);
  }
  async start(): Promise<void> {
    this.started = true;
    for (const s of this.states.values()) s.state = 'running';
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  consumerStates(): ConsumerStatus[] {
    return [...this.states.values()].map((s) => ({ ...s, topics: [...s.topics] }));
  }
  crashConsumer(group: string): boolean {
    const s = this.states.get(group);
    if (!s) return false;
    s.state = 'crashed';
    s.crashes++;
    return true;
  }
  /** Marks a group's state (e.g. 'restarting') for health tests. */
  setState(group: string, state: ConsumerStatus['state']): void {
    const s = this.states.get(group);
    if (s) s.state = state;
  }
  anyDown(): boolean {
    return this.consumerStates().some(isConsumerDown);
  }
  /** Delivers an envelope to every handler of its topic (one per group), in registration order. */
  async deliver(event: Envelope): Promise<void> {
    for (const h of this.handlers.filter((x) => x.topic === event.topic)) await h.handler(event);
  }
  groupsOf(topic: string): string[] {
    return this.handlers.filter((h) => h.topic === topic).map((h) => h.group);
  }
  publishedOn<T extends Topic>(topic: T): Array<Envelope<T>> {
    return this.published.filter((e): e is Envelope<T> => e.topic === topic);
  }
}

/** The Nest bus client over a RecordingEventBus: what a service `emit`s lands in `bus.published`. */
export function recordingBusClient(bus: RecordingEventBus = new RecordingEventBus()): { bus: RecordingEventBus; client: KairosBusClient } {
  return { bus, client: new KairosBusClient(bus) };
}

/** A Database stand-in for unit tests: any query fails loudly (override the repositories instead). */
export const unusableDatabase = {
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

export interface FakeCoreOptions {
  service?: string;
  config?: Partial<KairosConfig>;
  clock?: Clock;
  bus?: EventBus;
}

/**
 * What KairosCoreModule provides to every app module (CONFIG, LOGGER, PROCESS_IDENTITY, CLOCK,
 * DATABASE, EVENT_BUS, BUS_CLIENT, HealthRegistry), with fakes: import it next to an app module in a
 * Nest testing module and override that module's repositories.
 */
export function fakeCoreModule(opts: FakeCoreOptions = {}): DynamicModule {
  const bus = opts.bus ?? new RecordingEventBus();
  @Global()
  @Module({})
  class FakeKairosCoreModule {}
  const providers: Provider[] = [
    { provide: CONFIG, useValue: testConfig(opts.config) },
    { provide: LOGGER, useValue: pino({ level: 'silent' }) },
    { provide: PROCESS_IDENTITY, useValue: { service: opts.service ?? 'test', instanceId: 'test-instance' } },
    { provide: CLOCK, useValue: opts.clock ?? new FakeClock() },
    { provide: DATABASE, useValue: unusableDatabase },
    { provide: EVENT_BUS, useValue: bus },
    { provide: BUS_CLIENT, useValue: new KairosBusClient(bus) },
    HealthRegistry,
  ];
  return { module: FakeKairosCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
}

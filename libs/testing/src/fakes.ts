import pino from 'pino';
import type { Envelope, Topic } from '@kairos/contracts';
import { loadConfig, type Clock, type KairosConfig, type Logger } from '@kairos/platform';

// This lib imports only domain and util libs (contracts, platform): libs/bus, persistence and runtime
// use it in their own tests, so importing them here would be a cycle. The fakes satisfy those libs'
// ports structurally; the Nest test core module is libs/runtime's `kairosTestCoreModule`.

/** The shape of libs/bus's ConsumerStatus. */
export interface RecordedConsumer {
  group: string;
  topics: string[];
  state: 'idle' | 'joining' | 'running' | 'crashed' | 'restarting' | 'stopped';
  crashes: number;
  lastError: string | null;
  since: string;
}

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

/** An app identity (libs/runtime's AppIdentity) with a silent logger. */
export function testIdentity(app: string, instanceId = `${app}-test`): { app: string; instanceId: string; logger: Logger } {
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
export class RecordingEventBus {
  readonly kind = 'recording';
  readonly published: Envelope[] = [];
  readonly raw: Array<{ topic: string; key: string | null; bytes: Buffer }> = [];
  private readonly handlers: Array<{ topic: string; group: string; handler: (e: Envelope) => Promise<void> }> = [];
  private states = new Map<string, RecordedConsumer>();
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
  async subscribe<T extends Topic>(topic: T, options: { group: string; maxAttempts?: number }, handler: (event: Envelope<T>) => Promise<void>): Promise<void> {
    this.handlers.push({ topic, group: options.group, handler: handler as unknown as (e: Envelope) => Promise<void> });
    const s: RecordedConsumer = this.states.get(options.group) ?? { group: options.group, topics: [], state: 'idle', crashes: 0, lastError: null, since: new Date(0).toISOString() };
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
  consumerStates(): RecordedConsumer[] {
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
  setState(group: string, state: RecordedConsumer['state'], since?: string): void {
    const s = this.states.get(group);
    if (!s) return;
    s.state = state;
    if (since) s.since = since;
  }
  anyDown(): boolean {
    return this.consumerStates().some((s) => s.state === 'crashed' || s.state === 'restarting');
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


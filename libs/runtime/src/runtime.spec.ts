import { Controller, HttpStatus, Module, type INestMicroservice } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import pino from 'pino';
import { HandlerError, InProcessEventBus, KafkaEventBus, KairosBusClient, KairosBusServer, RethrowRpcErrorsFilter } from '@kairos/bus';
import { makeEnvelope, type Envelope } from '@kairos/contracts';
import { RecordingEventBus, testConfig } from '@kairos/testing';
import { ConsumersHealthIndicator } from './health/health.indicators';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health.registry';
import { appIdentity } from './identity';
import { createEventBus } from './kairos-core.module';

const beat = (node: string, running = 0): Envelope<'node.heartbeat.v1'> =>
  makeEnvelope('node.heartbeat.v1', node, { nodeId: node, executorId: 'e', cpuMillis: 1000, memMb: 512, running, at: new Date(0).toISOString() });

describe('app identity', () => {
  const logger = pino({ level: 'silent' });
  it('is the process identity when the process is that app', () => {
    expect(appIdentity('executor', { service: 'executor', instanceId: 'exec-a' }, logger)).toMatchObject({ app: 'executor', instanceId: 'exec-a' });
  });
  it('is derived per app in standalone mode, so four apps in one process have four ids', () => {
    const ids = ['gateway', 'collector', 'analyzer', 'executor'].map((app) => appIdentity(app, { service: 'standalone', instanceId: 'p1' }, logger).instanceId);
    expect(ids).toEqual(['gateway-p1', 'collector-p1', 'analyzer-p1', 'executor-p1']);
  });
});

describe('/health', () => {
  const res = () => {
    const r = { code: 0, status(c: number) { r.code = c; return r; } };
    return r;
  };
  const controller = (bus: RecordingEventBus, dbUp = true) => {
    const registry = new HealthRegistry();
    registry.addIndicator({ name: 'database', check: () => { if (!dbUp) throw new Error('connection refused'); return { status: 'up', details: { kind: 'postgresql' } }; } });
    registry.addIndicator(new ConsumersHealthIndicator(bus, registry, { KAFKA_REBALANCE_TIMEOUT_MS: 6_000, HEALTH_KAFKA_MAX_SILENCE_MS: 30_000 }, { now: () => Date.parse('2026-01-01T00:00:10Z') }));
    registry.addFacts(() => ({ extra: 1 }));
    return new HealthController(registry, { service: 'collector', instanceId: 'c1' });
  };

  it('answers 200 and status ok while every component is up', async () => {
    const bus = new RecordingEventBus();
    await bus.subscribe('node.heartbeat.v1', { group: 'collector' }, async () => undefined);
    await bus.start();
    const r = res();
    const body = await controller(bus).health(r as never);
    expect(r.code).toBe(HttpStatus.OK);
    expect(body).toMatchObject({ status: 'ok', service: 'collector', database: 'up', databaseKind: 'postgresql', bus: 'recording', down: [], extra: 1 });
  });

  it('answers 503 naming the consumers while a group is crashed, or its replacement has been joining longer than the rebalance timeout', async () => {
    const bus = new RecordingEventBus();
    await bus.subscribe('node.heartbeat.v1', { group: 'collector' }, async () => undefined);
    await bus.start();
    // The clock reads 00:00:10; the rebalance timeout is 6 s.
    for (const [state, since, code] of [
      ['crashed', '2026-01-01T00:00:09Z', HttpStatus.SERVICE_UNAVAILABLE],
      ['restarting', '2026-01-01T00:00:03Z', HttpStatus.SERVICE_UNAVAILABLE],
      ['restarting', '2026-01-01T00:00:05Z', HttpStatus.OK],
      ['joining', '2026-01-01T00:00:00Z', HttpStatus.OK], // joining at start-up is not down
    ] as const) {
      bus.setState('collector', state, since);
      const r = res();
      const body = await controller(bus).health(r as never);
      expect([state, since, r.code]).toEqual([state, since, code]);
      expect(body.consumers).toEqual([expect.objectContaining({ group: 'collector', state })]);
      if (code === HttpStatus.SERVICE_UNAVAILABLE) expect(body).toMatchObject({ status: 'down', down: ['consumers'] });
    }
  });

  it('answers 503 when the database does not answer', async () => {
    const r = res();
    const body = await controller(new RecordingEventBus(), false).health(r as never);
    expect(r.code).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    expect(body).toMatchObject({ status: 'down', database: 'down', down: ['database'] });
  });
});

describe('createEventBus', () => {
  it('is the in-process twin without KAFKA_BROKERS and Kafka with it (nothing connects until start)', () => {
    const logger = pino({ level: 'silent' });
    expect(createEventBus('gateway', testConfig(), logger)).toBeInstanceOf(InProcessEventBus);
    expect(createEventBus('gateway', testConfig({ KAFKA_BROKERS: '127.0.0.1:1' }), logger)).toBeInstanceOf(KafkaEventBus);
  });
});

// Two apps' consumers of one topic, as in standalone mode: each group gets every message, and each
// fails on its own (retry, dead letter) without touching the other.
const seen = { collector: [] as string[], analyzer: [] as string[], attempts: new Map<string, number>() };

@Controller()
class CollectorLikeConsumer {
  @EventPattern('node.heartbeat.v1', { group: 'collector-like' })
  async onBeat(@Payload() e: Envelope<'node.heartbeat.v1'>): Promise<void> {
    if (e.key === 'poison') throw new HandlerError('node unknown', false);
    seen.collector.push(e.key);
  }
}

@Controller()
class AnalyzerLikeConsumer {
  @EventPattern('node.heartbeat.v1', { group: 'analyzer-like', maxAttempts: 3 })
  async onBeat(@Payload() e: Envelope<'node.heartbeat.v1'>): Promise<void> {
    const n = (seen.attempts.get(e.key) ?? 0) + 1;
    seen.attempts.set(e.key, n);
    if (e.key === 'flaky' && n < 3) throw new Error('database busy');
    seen.analyzer.push(e.key);
  }
}

@Module({ controllers: [CollectorLikeConsumer, AnalyzerLikeConsumer] })
class TwoAppsModule {}

describe('KairosBusServer (the Nest transport over the bus)', () => {
  let bus: InProcessEventBus;
  let app: INestMicroservice;

  async function listen(module: new () => unknown): Promise<INestMicroservice> {
    const ref = await Test.createTestingModule({ imports: [module] }).compile();
    const ms = ref.createNestMicroservice({ strategy: new KairosBusServer(bus) });
    ms.useGlobalFilters(new RethrowRpcErrorsFilter());
    await ms.listen();
    return ms;
  }

  beforeEach(async () => {
    seen.collector = [];
    seen.analyzer = [];
    seen.attempts.clear();
    bus = new InProcessEventBus();
  });

  afterEach(async () => {
    await app?.close();
  });

  it('gives every message to each group, dead-letters non-retryable failures with the original bytes and retries retryable ones', async () => {
    app = await listen(TwoAppsModule);
    const dead: Array<Envelope<'kairos.deadletter.v1'>> = [];
    await bus.subscribe('kairos.deadletter.v1', { group: 'watch' }, async (e) => void dead.push(e));
    const poison = beat('poison');
    for (const e of [beat('a'), poison, beat('flaky'), beat('b')]) await bus.publish(e);
    await bus.drain();
    expect(seen.collector.sort()).toEqual(['a', 'b', 'flaky']);
    expect(seen.analyzer.sort()).toEqual(['a', 'b', 'flaky', 'poison']);
    expect(seen.attempts.get('flaky')).toBe(3);
    expect(dead).toHaveLength(1);
    expect(dead[0].payload).toMatchObject({ topic: 'node.heartbeat.v1', consumer: 'collector-like' });
    expect(dead[0].payload.reason).toContain('node unknown');
    expect(JSON.parse(Buffer.from(dead[0].payload.original, 'base64').toString()).eventId).toBe(poison.eventId);
    expect(bus.consumerStates().map((g) => [g.group, g.state])).toEqual([
      ['collector-like', 'running'],
      ['analyzer-like', 'running'],
      ['watch', 'idle'],
    ]);
  });

  it('rejects a handler without a consumer group, a second handler of one topic in one group, and request-response patterns', async () => {
    @Controller()
    class NoGroup {
      @EventPattern('node.heartbeat.v1')
      async on(): Promise<void> {}
    }
    @Controller()
    class Twice {
      @EventPattern('node.heartbeat.v1', { group: 'g' })
      async one(): Promise<void> {}
      @EventPattern('node.heartbeat.v1', { group: 'g' })
      async two(): Promise<void> {}
    }
    @Controller()
    class Rpc {
      @MessagePattern('node.heartbeat.v1')
      async ask(): Promise<void> {}
    }
    for (const [controller, message] of [
      [NoGroup, 'needs { group }'],
      [Twice, 'two @EventPattern(node.heartbeat.v1) handlers in group g'],
      [Rpc, 'the bus carries events only'],
    ] as const) {
      @Module({ controllers: [controller] })
      class M {}
      await expect(listen(M)).rejects.toThrow(message);
    }
  });

  it('the client side publishes envelopes through the same bus and refuses request-response', async () => {
    const recording = new RecordingEventBus();
    const client = new KairosBusClient(recording);
    const e = beat('n1');
    await lastValueFrom(client.emit(e.topic, e), { defaultValue: undefined });
    expect(recording.published).toEqual([e]);
    await expect(lastValueFrom(client.send('node.heartbeat.v1', e))).rejects.toThrow('events only');
  });
});

import { DEAD_LETTER_TOPIC, encodeEnvelope, makeEnvelope, type Envelope } from '@kairos/contracts';
import { startMockKafka, type MockKafka } from '@kairos/testing';
import { Kafka, logLevel } from 'kafkajs';
import { HandlerError } from './event-bus.port';
import { KafkaEventBus, type BusLog, type KafkaBusConfig } from './kafka.bus';

// Runs against the Kafka-protocol test broker (tools/mock-kafka), a fresh 3-broker cluster per test.
const TOPIC = 'node.heartbeat.v1';
const PARTITIONS = 6;

interface Received {
  consumer: number;
  key: string;
  seq: number;
  eventId: string;
}

const beat = (key: string, seq: number): Envelope<typeof TOPIC> =>
  makeEnvelope(TOPIC, key, { nodeId: key, executorId: 'int-spec', cpuMillis: 1000, memMb: 512, running: seq, at: new Date().toISOString() });

/** N messages over `keys` keys; seq counts up per key so order can be checked on the other side. */
function stream(n: number, keys: number): Array<Envelope<typeof TOPIC>> {
  const seqs = new Map<string, number>();
  return Array.from({ length: n }, (_, i) => {
    const key = `node-${i % keys}`;
    const seq = seqs.get(key) ?? 0;
    seqs.set(key, seq + 1);
    return beat(key, seq);
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Per key, the seqs in the order they were first handled must be 0,1,2,… */
function keyOrderViolations(received: Received[]): string[] {
  const seen = new Set<string>();
  const next = new Map<string, number>();
  const bad: string[] = [];
  for (const r of received) {
    if (seen.has(r.eventId)) continue;
    seen.add(r.eventId);
    const want = next.get(r.key) ?? 0;
    if (r.seq !== want) bad.push(`${r.key}: got seq ${r.seq}, expected ${want}`);
    next.set(r.key, r.seq + 1);
  }
  return bad;
}

describe('KafkaEventBus on the Kafka-protocol test broker', () => {
  let mk: MockKafka | null = null;
  let buses: KafkaEventBus[] = [];
  let logs: string[] = [];
  const log: BusLog = (level, message, fields) => void logs.push(`${level} ${message} ${JSON.stringify(fields)}`);

  const bus = (clientId: string, extra: Partial<KafkaBusConfig> = {}): KafkaEventBus => {
    if (!mk) throw new Error('mock cluster not started');
    const b = new KafkaEventBus({
      brokers: mk.bootstrap,
      clientId,
      idempotent: false, // the test broker names no controller, which kafkajs needs for a producer id
      kafkaLogLevel: 'error',
      log,
      // The test broker's rebalance waits about one session timeout, so keep it short.
      consumer: { heartbeatIntervalMs: 300, sessionTimeoutMs: 5_000, rebalanceTimeoutMs: 5_000 },
      retryDelayMs: () => 20,
      ...extra,
    });
    buses.push(b);
    return b;
  };

  /** Both members joined and between them own every partition, so no rebalance happens mid-stream. */
  const waitForBalancedGroup = (members: KafkaEventBus[], group: string, timeoutMs = 20_000): Promise<void> =>
    waitFor(
      () => {
        const owned = members.map((m) => m.assignments()[group]?.[TOPIC] ?? []);
        return owned.every((p) => p.length > 0) && new Set(owned.flat()).size === PARTITIONS && owned.flat().length === PARTITIONS;
      },
      timeoutMs,
      () => `balanced group ${group}: ${JSON.stringify(members.map((m) => m.assignments()[group]))}`,
    );

  /**
   * Members join one at a time (the first owns every partition, then the group rebalances once), the
   * common case in production and far steadier on the test broker than simultaneous joins.
   */
  const joinOneByOne = async (members: KafkaEventBus[], group: string, received: Received[]): Promise<void> => {
    for (const [i, m] of members.entries()) {
      await m.subscribe(TOPIC, { group }, async (e) => void received.push({ consumer: i, key: e.key, seq: e.payload.running, eventId: e.eventId }));
      await m.start();
      await waitForBalancedGroup(members.slice(0, i + 1), group);
    }
  };

  /** The broker leading partition 0, so taking it down is sure to hit the stream. */
  const leaderOfPartition0 = async (): Promise<number> => {
    const admin = new Kafka({ clientId: 'int-spec-admin', brokers: (mk as MockKafka).bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      const p0 = topics[0].partitions.find((p) => p.partitionId === 0);
      if (!p0) throw new Error(`no partition 0 in metadata of ${TOPIC}`);
      return p0.leader;
    } finally {
      await admin.disconnect();
    }
  };

  beforeEach(async () => {
    logs = [];
    mk = await startMockKafka({ brokers: 3, topics: { [TOPIC]: PARTITIONS, [DEAD_LETTER_TOPIC]: PARTITIONS } });
  });

  afterEach(async () => {
    // Children are cleaned up even when the test failed: close every bus, then stop the launcher.
    await Promise.allSettled(buses.map((b) => b.close()));
    buses = [];
    await mk?.stop();
    mk = null;
    const state = expect.getState();
    if (state.assertionCalls !== state.numPassingAsserts) console.warn(`bus log (${state.currentTestName}):\n${logs.slice(-40).join('\n')}`);
  });

  it('two consumers in one group share 6 partitions and get each of 2,000 messages exactly once, in key order', async () => {
    const received: Received[] = [];
    const consumers = [bus('c1'), bus('c2')];
    await joinOneByOne(consumers, 'share', received);

    const producer = bus('producer');
    const events = stream(2000, 40);
    for (let i = 0; i < events.length; i += 500) await producer.publishBatch(events.slice(i, i + 500));
    await waitFor(() => received.length >= events.length, 30_000, () => `${received.length}/${events.length} messages`);
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here

    expect(received).toHaveLength(events.length);
    expect(new Set(received.map((r) => r.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    expect(keyOrderViolations(received)).toEqual([]);
    // Replicas share the work, and one key is only ever handled by one of them.
    expect(received.filter((r) => r.consumer === 0).length).toBeGreaterThan(0);
    expect(received.filter((r) => r.consumer === 1).length).toBeGreaterThan(0);
    const owner = new Map<string, Set<number>>();
    for (const r of received) owner.set(r.key, (owner.get(r.key) ?? new Set()).add(r.consumer));
    expect([...owner.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('inFlightPerPartition: several messages of one partition at once, and an offset committed only once every earlier message is handled', async () => {
    const group = 'pipelined';
    const consumer = bus('pipe');
    let inFlight = 0;
    let maxInFlight = 0;
    const done: number[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((r) => (release = r));
    await consumer.subscribe(TOPIC, { group, inFlightPerPartition: 4 }, async (e) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (e.payload.running === 2) await blocked; // message 2 stays in flight until released
      else await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      done.push(e.payload.running);
    });
    await consumer.start();
    await waitFor(() => (consumer.assignments()[group]?.[TOPIC] ?? []).length === PARTITIONS, 20_000, () => 'the group joined');
    const events = stream(20, 1); // one key: one partition, seq 0..19
    await bus('producer').publishBatch(events);

    const admin = new Kafka({ clientId: 'int-spec-admin', brokers: (mk as MockKafka).bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const committed = async () => {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [TOPIC] });
      return Math.max(...t.partitions.map((p) => Number(p.offset)));
    };
    try {
      // 0, 1 handled; 2 blocked; 3, 4, 5 handled behind it, and the window (4) stops there.
      await waitFor(() => done.length >= 5, 10_000, () => `handled ${JSON.stringify(done)}`);
      await new Promise((r) => setTimeout(r, 800)); // past commitIntervalMs
      expect([...done].sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 5]);
      expect(await committed()).toBeLessThanOrEqual(2); // never past the message still in flight
      release();
      await waitFor(() => done.length >= 20, 10_000, () => `handled ${done.length}/20`);
      const deadline = Date.now() + 10_000;
      while ((await committed()) !== 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await committed()).toBe(20);
    } finally {
      await admin.disconnect();
    }
    expect([...done].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxInFlight).toBe(4);
  });

  it('dead-letters malformed and non-retryable messages with the reason and the original bytes, and keeps consuming', async () => {
    const handled: string[] = [];
    const dead: Array<Envelope<typeof DEAD_LETTER_TOPIC>> = [];
    const attempts = new Map<string, number>();
    const consumer = bus('worker');
    await consumer.subscribe(TOPIC, { group: 'workers', maxAttempts: 3 }, async (e) => {
      const n = (attempts.get(e.key) ?? 0) + 1;
      attempts.set(e.key, n);
      if (e.key === 'poison') throw new HandlerError('node unknown', false);
      if (e.key === 'flaky' && n < 3) throw new HandlerError('database busy', true);
      if (e.key === 'hopeless') throw new Error('always fails');
      handled.push(e.key);
    });
    await consumer.subscribe(DEAD_LETTER_TOPIC, { group: 'dlq-watch' }, async (e) => void dead.push(e));
    await consumer.start();

    const producer = bus('producer');
    const notJson = Buffer.from('{"eventId": not json');
    const badPayload = encodeEnvelope({ ...beat('bad', 0), payload: { nodeId: 'bad', cpuMillis: -1 } } as unknown as Envelope);
    await producer.publish(beat('before', 0));
    await producer.publishRaw(TOPIC, 'bad', notJson);
    await producer.publishRaw(TOPIC, 'bad', badPayload);
    await producer.publishBatch([beat('poison', 0), beat('flaky', 0), beat('hopeless', 0), beat('after', 0)]);

    await waitFor(() => dead.length >= 4 && handled.includes('after') && handled.includes('flaky'), 30_000, () => `dead=${dead.length} handled=${handled.join(',')}`);
    expect(handled.sort()).toEqual(['after', 'before', 'flaky']);
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('poison')).toBe(1); // non-retryable: no second attempt
    expect(attempts.get('hopeless')).toBe(3); // retryable, but maxAttempts 3

    const byOriginal = new Map(dead.map((d) => [Buffer.from(d.payload.original, 'base64').toString(), d.payload]));
    const jsonReason = byOriginal.get(notJson.toString());
    expect(jsonReason?.reason).toMatch(/not JSON/);
    expect(jsonReason?.topic).toBe(TOPIC);
    expect(jsonReason?.consumer).toBe('workers');
    expect(byOriginal.get(badPayload.toString())?.reason).toMatch(/payload\.cpuMillis/);
    const reasons = dead.map((d) => d.payload.reason);
    expect(reasons.some((r) => /node unknown/.test(r))).toBe(true);
    expect(reasons.some((r) => /attempt 3\/3.*always fails/.test(r))).toBe(true);
    expect(dead).toHaveLength(4);
  });

  it('waits out a dependency outage longer than maxAttempts allows: handled once it is back, in order, nothing dead-lettered', async () => {
    const handled: string[] = [];
    const dead: Array<Envelope<typeof DEAD_LETTER_TOPIC>> = [];
    let calls = 0;
    let dbUp = false;
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const consumer = bus('waiter', { unavailable: (e) => (e as { code?: string }).code === 'ECONNREFUSED', waitDelayMs: () => 50 });
    await consumer.subscribe(TOPIC, { group: 'waiters', maxAttempts: 2 }, async (e) => {
      calls++;
      if (!dbUp) throw down;
      handled.push(`${e.key}:${e.payload.running}`);
    });
    await consumer.subscribe(DEAD_LETTER_TOPIC, { group: 'dlq-watch-2' }, async (e) => void dead.push(e));
    await consumer.start();
    const producer = bus('producer');
    await producer.publishBatch([beat('n', 0), beat('n', 1), beat('n', 2)]);
    // Far more failed calls than maxAttempts (2) would allow, then the dependency comes back.
    await waitFor(() => calls >= 20, 30_000, () => `calls=${calls}`);
    expect(handled).toEqual([]);
    dbUp = true;
    await waitFor(() => handled.length === 3, 30_000, () => `handled=${handled.join(',')}`);
    expect(handled).toEqual(['n:0', 'n:1', 'n:2']);
    await new Promise((r) => setTimeout(r, 500));
    expect(dead).toEqual([]);
    expect(logs.some((l) => l.startsWith('warn handler waiting for an unavailable dependency'))).toBe(true);
  });

  it('loses nothing when a broker goes down and comes back mid-stream', async () => {
    const received: Received[] = [];
    const consumers = [bus('c1'), bus('c2')];
    await joinOneByOne(consumers, 'survivors', received);

    const producer = bus('producer');
    const events = stream(2000, 40);
    const chunks = Array.from({ length: 20 }, (_, i) => events.slice(i * 100, i * 100 + 100));
    const cluster = mk as MockKafka;
    const victim = await leaderOfPartition0();
    let downAt = 0;
    let upAt = 0;
    let publishedAt = 0;
    const publishing = (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i === 5) {
          await cluster.down(victim);
          downAt = Date.now();
        }
        await producer.publishBatch(chunk);
      }
      publishedAt = Date.now();
    })();
    // The broker stays away long enough for produce, fetch and commit requests to fail and retry.
    await waitFor(() => downAt > 0, 20_000, () => `broker ${victim} down`);
    await new Promise((r) => setTimeout(r, 1_500));
    upAt = Date.now();
    await cluster.up(victim);
    await publishing;
    // The outage really bit: sends to the victim's partitions waited for it to come back.
    expect(publishedAt).toBeGreaterThanOrEqual(upAt);
    await waitFor(() => new Set(received.map((r) => r.eventId)).size >= events.length, 40_000, () => `${new Set(received.map((r) => r.eventId)).size}/${events.length} distinct messages`);

    expect(new Set(received.map((r) => r.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    expect(keyOrderViolations(received)).toEqual([]);
    const duplicates = received.length - events.length;
    // At-least-once: a redelivery after a failed commit is allowed (handlers dedupe on eventId), loss is not.
    if (duplicates > 0) console.info(`broker outage caused ${duplicates} redeliveries`);
  });
});

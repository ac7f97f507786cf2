import { contractTopics, freePort, startMockKafka, type MockKafka } from '@kairos/testing';
import { TOPIC_PARTITIONS, TOPICS } from '@kairos/contracts';
import { KafkaTopicAdmin } from '../src/topics/kafka-topic.admin';
import { cliHarness } from './cli-harness';

// `kairos topics create` with the real kafkajs admin against the Kafka-protocol test broker. The mock
// names no controller, so it cannot create topics through the admin API (docs/kafka-testing.md): what
// is tested here is reading the cluster (every topic there → nothing to do, exit 0), the clear error
// when a topic would have to be created, and brokers that cannot be reached.
describe('kairos topics create (Kafka test broker)', () => {
  let kafka: MockKafka | undefined;
  afterEach(async () => {
    await kafka?.stop();
    kafka = undefined;
  });

  const real = () => {
    const h = cliHarness(() => undefined);
    h.ctx.topicAdmin = (config) => new KafkaTopicAdmin(config);
    return h;
  };

  it('every contract topic already there: reports each with its partitions, creates nothing, exit 0 (idempotent)', async () => {
    kafka = await startMockKafka({ topics: contractTopics() });
    const h = real();
    expect(await h.run('--json', 'topics', 'create', '--brokers', kafka.bootstrap.join(','), '--timeout', '10s')).toBe(0);
    const rows = JSON.parse(h.out()) as Array<{ topic: string; partitions: number; action: string }>;
    expect(rows.map((r) => r.topic).sort()).toEqual([...TOPICS].sort());
    expect(rows.every((r) => r.action === 'exists' && r.partitions === TOPIC_PARTITIONS)).toBe(true);
    expect(h.err()).toBe(`0 created, ${TOPICS.length} already there\n`);
  });

  it('a missing topic on a cluster without a controller: a clear error saying why, exit 4', async () => {
    const some = Object.fromEntries(Object.entries(contractTopics()).filter(([t]) => t !== 'kairos.deadletter.v1'));
    kafka = await startMockKafka({ topics: some });
    const h = real();
    expect(await h.run('topics', 'create', '--timeout', '5s')).toBe(2);
    expect(h.err()).toContain('no Kafka brokers: set KAFKA_BROKERS');
    const env = cliHarness(() => undefined, { env: { KAFKA_BROKERS: kafka.bootstrap.join(',') } });
    env.ctx.topicAdmin = (config) => new KafkaTopicAdmin(config);
    expect(await env.run('topics', 'create', '--timeout', '5s')).toBe(4);
    expect(env.err()).toMatch(/error: Kafka at 127\.0\.0\.1:\d+.*: the cluster reports no controller broker, so it cannot create topics/);
    expect(env.err()).toContain("librdkafka's mock test broker is such a cluster");
  });

  it('brokers that refuse connections: exit 3 naming them, within seconds', async () => {
    const port = await freePort();
    const h = real();
    const t0 = Date.now();
    expect(await h.run('topics', 'create', '--brokers', `127.0.0.1:${port}`, '--timeout', '3s')).toBe(3);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(h.err()).toContain(`error: Kafka at 127.0.0.1:${port}: Connection error: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(h.err()).toContain('check KAFKA_BROKERS (or --brokers)');
  });
});

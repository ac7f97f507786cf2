// Rough throughput check of KafkaEventBus on the Kafka-protocol test broker (not a peer benchmark):
//   node --require ./scripts/swc-register.js tools/mock-kafka/throughput.ts [messages=20000] [--json file]
import { writeFileSync } from 'node:fs';
import { makeEnvelope, type Envelope } from '@kairos/contracts';
import { startMockKafka } from '@kairos/testing';
import { KafkaEventBus } from '@kairos/bus';

const TOPIC = 'node.heartbeat.v1';

function parseArgs(argv: string[]): { n: number; json: string | null } {
  let n = 20_000;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') {
      json = argv[++i] ?? null;
      if (!json) throw new Error('--json: expected a file path');
    } else if (/^\d+$/.test(argv[i]) && Number(argv[i]) >= 1000) n = Number(argv[i]);
    else throw new Error(`argument '${argv[i]}': expected a message count >= 1000 or --json <file>`);
  }
  return { n, json };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { n, json } = parseArgs(process.argv.slice(2));
  const mk = await startMockKafka({ brokers: 3, topics: { [TOPIC]: 6 } });
  const base = { brokers: mk.bootstrap, idempotent: false, kafkaLogLevel: 'error' as const, consumer: { sessionTimeoutMs: 5_000, heartbeatIntervalMs: 300 } };
  const consumer = new KafkaEventBus({ ...base, clientId: 'throughput-consumer' });
  const producer = new KafkaEventBus({ ...base, clientId: 'throughput-producer' });
  try {
    let handled = 0;
    await consumer.subscribe(TOPIC, { group: 'throughput' }, async () => void handled++);
    await consumer.start();
    while (!Object.keys(consumer.assignments().throughput ?? {}).length) await sleep(50);
    await producer.start();
    const make = (i: number): Envelope<typeof TOPIC> =>
      makeEnvelope(TOPIC, `node-${i % 100}`, { nodeId: `node-${i % 100}`, executorId: 'bench', cpuMillis: 1, memMb: 1, running: i, at: new Date().toISOString() });
    const batchEvents = Array.from({ length: n }, (_, i) => make(i));
    const singleEvents = Array.from({ length: n }, (_, i) => make(n + i));

    const t0 = Date.now();
    for (let i = 0; i < n; i += 1000) await producer.publishBatch(batchEvents.slice(i, i + 1000));
    const publishBatchMs = Date.now() - t0;
    const t1 = Date.now();
    await Promise.all(singleEvents.map((e) => producer.publish(e)));
    const concurrentPublishMs = Date.now() - t1;
    let last = -1;
    while (handled < 2 * n) {
      if (handled !== last) process.stderr.write(`\rhandled ${handled}/${2 * n}`);
      last = handled;
      await sleep(20);
    }
    const endToEndMs = Date.now() - t0;
    process.stderr.write('\n');
    const result = {
      messages: 2 * n,
      publishBatchPerSec: Math.round(n / (publishBatchMs / 1000)),
      concurrentPublishPerSec: Math.round(n / (concurrentPublishMs / 1000)),
      endToEndPerSec: Math.round((2 * n) / (endToEndMs / 1000)),
    };
    console.log('| metric | value |\n|---|---|');
    for (const [k, v] of Object.entries(result)) console.log(`| ${k} | ${v} |`);
    if (json) writeFileSync(json, JSON.stringify(result, null, 2));
  } finally {
    await producer.close();
    await consumer.close();
    await mk.stop();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});

import { Option, type Command } from 'commander';
import { TOPIC_PARTITIONS, TOPICS } from '@kairos/contracts';
import { ConfigSchema } from '@kairos/platform';
import { globalsOf, intInRange, parseDuration, positiveInt, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, toJsonText } from '../output/table.format';
import type { TopicSpec } from '../topics/topic-admin.port';

interface TopicsFlags {
  brokers?: string;
  partitions: number;
  replicationFactor: number;
  clientId?: string;
  timeout: number;
  dryRun?: boolean;
}

export interface TopicOutcome {
  topic: string;
  partitions: number;
  action: 'created' | 'exists' | 'would create';
  note?: string;
}

/** The brokers to talk to: --brokers, else KAFKA_BROKERS, validated like the services validate it. */
export function brokersOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  const [value, source] = flag !== undefined ? [flag, '--brokers'] : [env.KAFKA_BROKERS, 'KAFKA_BROKERS'];
  if (value === undefined || value === '') {
    throw new CliError('USAGE', 'no Kafka brokers: set KAFKA_BROKERS=host:port[,host:port…] or pass --brokers host:port[,…]');
  }
  const r = ConfigSchema.shape.KAFKA_BROKERS.safeParse(value);
  if (!r.success) throw new CliError('USAGE', `${source}=${JSON.stringify(value)}: ${r.error.issues[0].message}`);
  return value.split(',');
}

/** What a kafkajs failure means for the user, with the exit-code class it belongs to. */
export function kafkaFailure(err: unknown, brokers: readonly string[]): CliError {
  const e = err instanceof Error ? err : new Error(String(err));
  const names = [e.name, (e as { cause?: unknown }).cause instanceof Error ? ((e as { cause: Error }).cause.name) : ''];
  const where = `Kafka at ${brokers.join(',')}`;
  if (names.includes('KafkaJSConnectionError') || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|Connection (error|timeout)/i.test(e.message)) {
    return new CliError('UNREACHABLE', `${where}: ${e.message}`, 'check KAFKA_BROKERS (or --brokers) and that the brokers are up');
  }
  if (e.name === 'KafkaJSBrokerNotFound') {
    // kafkajs sends CreateTopics to the controller; a cluster that names none cannot create topics.
    return new CliError(
      'SERVER_REFUSED',
      `${where}: the cluster reports no controller broker, so it cannot create topics (${e.message})`,
      "librdkafka's mock test broker is such a cluster: create the topics with its --topics option instead (docs/kafka-testing.md)",
    );
  }
  return new CliError('SERVER_REFUSED', `${where}: ${e.message}`);
}

export function registerTopics(program: Command, ctx: CliContext): void {
  const topics = program.command('topics').description('Kafka topics of distributed mode');
  topics
    .command('create')
    .description(`create every Kairos topic (${TOPICS.length}, from libs/contracts) that does not exist yet; existing ones are left as they are (idempotent)`)
    .option('--brokers <host:port,…>', 'bootstrap brokers (default: KAFKA_BROKERS)')
    .option('--partitions <n>', 'partitions per topic', positiveInt(10_000), TOPIC_PARTITIONS)
    .option('--replication-factor <n>', "replicas per partition; -1 uses the brokers' default.replication.factor", intInRange(-1, 1000), -1)
    .option('--client-id <id>', 'Kafka client id prefix (default: KAFKA_CLIENT_ID or kairos)')
    .addOption(new Option('--timeout <duration>', 'per Kafka request').argParser(parseDuration).default(30_000, '30s'))
    .option('--dry-run', 'print the topics and settings without connecting')
    .action(async (f: TopicsFlags, c: Command) => {
      const { io } = ctx;
      if (f.replicationFactor === 0) throw new CliError('USAGE', "--replication-factor: must be at least 1, or -1 for the brokers' default");
      const json = globalsOf(c).json;
      const print = (rows: TopicOutcome[]) => {
        if (json) return void io.stdout.write(toJsonText(rows));
        io.stdout.write(formatTable(['TOPIC', 'PARTITIONS', 'RESULT'], rows.map((r) => [r.topic, String(r.partitions), r.note ? `${r.action} (${r.note})` : r.action])));
      };
      const wanted: TopicSpec[] = TOPICS.map((topic) => ({ topic, partitions: f.partitions, replicationFactor: f.replicationFactor }));
      if (f.dryRun) return print(wanted.map((t) => ({ topic: t.topic, partitions: t.partitions, action: 'would create' })));
      const brokers = brokersOf(f.brokers, io.env);
      const admin = ctx.topicAdmin({ brokers, clientId: f.clientId ?? io.env.KAFKA_CLIENT_ID ?? 'kairos', timeoutMs: f.timeout });
      try {
        const existing = await admin.describe();
        const missing = wanted.filter((t) => !existing.has(t.topic));
        if (missing.length) await admin.create(missing);
        const rows: TopicOutcome[] = wanted.map((t) => {
          const have = existing.get(t.topic);
          if (have === undefined) return { topic: t.topic, partitions: t.partitions, action: 'created' };
          return { topic: t.topic, partitions: have, action: 'exists', ...(have < t.partitions ? { note: `fewer than ${t.partitions} partitions: fewer consumers can share it` } : {}) };
        });
        print(rows);
        io.stderr.write(`${missing.length} created, ${wanted.length - missing.length} already there\n`);
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw kafkaFailure(err, brokers);
      } finally {
        await admin.close().catch(() => undefined);
      }
    });
}

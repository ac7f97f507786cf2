import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KafkaEventBus } from '@kairos/bus';
import { createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';
import { startScratchPostgres, type ScratchPostgres } from './scratch-postgres';

export type Kind = 'gateway' | 'collector' | 'analyzer' | 'executor';
export const KINDS: readonly Kind[] = ['gateway', 'collector', 'analyzer', 'executor'];

/**
 * The distributed mode as the fault suite and the soak run it: gateway, collector, analyzer and one
 * executor as separate processes, the Kafka test broker with 3 brokers, and a PostgreSQL cluster of the
 * suite's own (or, where none can be started here, a database on the shared server: `pgSkipped` says why).
 */
export interface FaultCluster {
  kafka: MockKafka;
  /** The suite's own PostgreSQL cluster, null when it could not be started (see pgSkipped). */
  scratch: ScratchPostgres | null;
  pgSkipped: string;
  dbUrl: string;
  /** The test's own producer (metric points). */
  bus: KafkaEventBus;
  svc: Record<Kind, ServiceProcess>;
  /** Starts (or restarts) one service with its usual environment. */
  spawn(kind: Kind): Promise<ServiceProcess>;
  dump(): string;
  /** Resident set size of a service's process, bytes (Linux /proc). */
  rss(kind: Kind): number;
  stop(): Promise<void>;
}

export async function startFaultCluster(): Promise<FaultCluster> {
  const started: ServiceProcess[] = [];
  const svc = {} as Record<Kind, ServiceProcess>;
  const dbName = `kairos_faults_${randomBytes(4).toString('hex')}`;
  const pg = await startScratchPostgres(dbName);
  let scratch: ScratchPostgres | null = null;
  let pgSkipped = '';
  let shared: { url: string; drop(): Promise<void> } | null = null;
  let dbUrl: string;
  if ('skipped' in pg) {
    pgSkipped = pg.skipped;
    process.stdout.write(`fault suite: PostgreSQL restart case will be SKIPPED: ${pg.skipped}\n`);
    shared = await createTestDatabase();
    dbUrl = shared.url;
  } else {
    scratch = pg;
    dbUrl = pg.url(dbName);
  }
  let kafka: MockKafka;
  try {
    kafka = await startMockKafka({ brokers: 3 });
  } catch (err) {
    await scratch?.destroy().catch(() => undefined);
    await shared?.drop().catch(() => undefined);
    throw err;
  }
  const env: Record<string, string> = {
    KAFKA_BROKERS: kafka.bootstrap.join(','),
    KAFKA_IDEMPOTENT: 'false',
    DATABASE_URL: dbUrl,
    LEASE_MS: '3000',
    HEARTBEAT_MS: '500',
    // Fast consumer-group fail-over: a killed member's partitions move within seconds.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_MS: '500',
    KAFKA_REBALANCE_TIMEOUT_MS: '6000',
    // Node options for the services only (the test runner's own are not passed on), e.g. for heap snapshots:
    // KAIROS_SERVICE_NODE_OPTIONS="--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp/snaps".
    ...(process.env.KAIROS_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.KAIROS_SERVICE_NODE_OPTIONS } : {}),
  };
  const envOf = (kind: Kind) => (kind === 'executor' ? { ...env, EXECUTOR_ID: 'fault-exec', EXECUTOR_NODES: 'fault-node:8000:16384', EXECUTOR_SLOTS: '16' } : env);
  const spawn = async (kind: Kind) => {
    const s = await startService(kind, envOf(kind), kind);
    started.push(s);
    svc[kind] = s;
    return s;
  };
  const cluster: FaultCluster = {
    kafka,
    scratch,
    pgSkipped,
    dbUrl,
    bus: new KafkaEventBus({ brokers: kafka.bootstrap, clientId: 'fault-suite-load', idempotent: false }),
    svc,
    spawn,
    dump: () =>
      Object.values(svc)
        .map((s) => `--- ${s.name} (exit ${s.proc.exitCode ?? s.proc.signalCode ?? 'running'})\n${s.output().slice(-4000)}`)
        .join('\n') + (scratch ? `\n--- postgres\n${scratch.log()}` : ''),
    rss: (kind) => {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${svc[kind].proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    },
    async stop() {
      await cluster.bus.close().catch(() => undefined);
      await Promise.all(started.map((s) => s.kill()));
      await kafka.stop();
      await scratch?.destroy().catch(() => undefined);
      await shared?.drop().catch(() => undefined);
    },
  };
  try {
    // Migrations run under an advisory lock; the gateway first so the others find the schema.
    await (await spawn('gateway')).waitHealthy(180_000);
    await Promise.all((['collector', 'analyzer', 'executor'] as const).map(async (k) => (await spawn(k)).waitHealthy(180_000)));
    await cluster.bus.start();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

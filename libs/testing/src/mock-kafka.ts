import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TOPIC_PARTITIONS, TOPICS } from '@kairos/contracts';

export type MockKafkaErrorCode = 'BUILD_FAILED' | 'START_FAILED' | 'COMMAND_FAILED' | 'EXITED' | 'BAD_OPTIONS';

export class MockKafkaError extends Error {
  constructor(
    readonly code: MockKafkaErrorCode,
    message: string,
  ) {
    super(`mock-kafka: ${message}`);
  }
}

export interface MockKafkaOptions {
  /** Broker count; ids run 1..brokers. Default 3. */
  brokers?: number;
  /** Topic → partitions, created before the bootstrap line is printed. Default: every contract topic with TOPIC_PARTITIONS. */
  topics?: Readonly<Record<string, number>>;
  /** Replicas per partition; default min(brokers, 3). The mock never moves leaders, so this is bookkeeping only. */
  replication?: number;
  /** How long to wait for the build and the bootstrap line. Default 60 s (a cold gcc build on a busy machine). */
  startTimeoutMs?: number;
}

export interface MockKafka {
  /** host:port of every broker, for kafkajs `brokers`. */
  readonly bootstrap: string[];
  readonly brokerIds: number[];
  /** Disconnects the broker and refuses new connections; its partitions have no leader until `up`. */
  down(brokerId: number): Promise<void>;
  up(brokerId: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  /** Idempotent; resolves when the launcher has exited. */
  stop(): Promise<void>;
}

/** Default topics: every contract topic, TOPIC_PARTITIONS partitions each. */
export function contractTopics(): Record<string, number> {
  return Object.fromEntries(TOPICS.map((t) => [t, TOPIC_PARTITIONS]));
}

const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** Last resort: if a test crashes before stop(), the launchers die with this process (they also exit on stdin EOF). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export function findMockKafkaDir(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'tools', 'mock-kafka');
    if (existsSync(join(candidate, 'build.sh'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  const fromCwd = join(process.cwd(), 'tools', 'mock-kafka');
  if (existsSync(join(fromCwd, 'build.sh'))) return fromCwd;
  throw new MockKafkaError('BUILD_FAILED', `tools/mock-kafka/build.sh not found above ${from} or in ${process.cwd()}`);
}

/** Runs tools/mock-kafka/build.sh (a no-op when the binary is up to date) and returns the binary's path. */
export async function buildMockKafka(dir: string = findMockKafkaDir()): Promise<string> {
  await new Promise<void>((res, rej) => {
    execFile('bash', [join(dir, 'build.sh')], { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) rej(new MockKafkaError('BUILD_FAILED', `${join(dir, 'build.sh')} failed: ${stderr.trim() || err.message}`));
      else res();
    });
  });
  return join(dir, 'mock-kafka');
}

function validate(opts: MockKafkaOptions): { brokers: number; topics: Record<string, number> } {
  const brokers = opts.brokers ?? 3;
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 64) {
    throw new MockKafkaError('BAD_OPTIONS', `brokers: expected an integer 1..64, got ${brokers}`);
  }
  const topics = { ...(opts.topics ?? contractTopics()) };
  for (const [name, partitions] of Object.entries(topics)) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) throw new MockKafkaError('BAD_OPTIONS', `topics: invalid topic name '${name}'`);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new MockKafkaError('BAD_OPTIONS', `topics.${name}: expected a positive integer partition count, got ${partitions}`);
    }
  }
  return { brokers, topics };
}

/**
 * Starts a Kafka-protocol test broker (librdkafka's mock cluster) on 127.0.0.1 in a child process.
 * Always pair with `stop()` in afterAll/finally; the child also exits when this process does.
 */
export async function startMockKafka(opts: MockKafkaOptions = {}): Promise<MockKafka> {
  const { brokers, topics } = validate(opts);
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const bin = await buildMockKafka();
  const args = ['--brokers', String(brokers)];
  const topicSpec = Object.entries(topics).map(([n, p]) => `${n}:${p}`);
  if (topicSpec.length) args.push('--topics', topicSpec.join(','));
  if (opts.replication !== undefined) args.push('--replication', String(opts.replication));

  installExitHook();
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // Writes to a dead launcher must surface as rejected commands, not as an unhandled 'error'.
  child.stdin.on('error', () => undefined);

  let exited = false;
  const exitedPromise = new Promise<void>((res) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      res();
    });
  });
  // One answer line per command, in order.
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  let onBootstrap: ((line: string) => void) | null = null;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (onBootstrap) {
      const cb = onBootstrap;
      onBootstrap = null;
      cb(line);
      return;
    }
    waiting.shift()?.resolve(line);
  });
  void exitedPromise.then(() => {
    for (const w of waiting.splice(0)) w.reject(new MockKafkaError('EXITED', `launcher exited before answering: ${stderr.trim()}`));
  });

  let bootstrap: string[];
  try {
    const line = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new MockKafkaError('START_FAILED', `no BOOTSTRAP line within ${startTimeoutMs} ms`)), startTimeoutMs);
      onBootstrap = (l) => {
        clearTimeout(timer);
        res(l);
      };
      child.once('error', (e) => {
        clearTimeout(timer);
        rej(new MockKafkaError('START_FAILED', `spawn ${bin}: ${e.message}`));
      });
      void exitedPromise.then(() => {
        clearTimeout(timer);
        rej(new MockKafkaError('START_FAILED', `launcher exited (code ${child.exitCode}): ${stderr.trim()}`));
      });
    });
    const m = /^BOOTSTRAP (\S+)$/.exec(line);
    if (!m) throw new MockKafkaError('START_FAILED', `expected 'BOOTSTRAP host:port,...', got '${line}'`);
    bootstrap = m[1].split(',');
  } catch (e) {
    child.kill('SIGKILL');
    await exitedPromise;
    throw e;
  }

  const command = (cmd: string): Promise<string> => {
    if (exited) return Promise.reject(new MockKafkaError('EXITED', `launcher is not running (command '${cmd}')`));
    return new Promise<string>((res, rej) => {
      waiting.push({
        resolve: (answer) => (answer.startsWith('OK') ? res(answer) : rej(new MockKafkaError('COMMAND_FAILED', `${cmd}: ${answer}`))),
        reject: rej,
      });
      child.stdin.write(`${cmd}\n`);
    });
  };
  const brokerIds = Array.from({ length: brokers }, (_, i) => i + 1);
  let stopping: Promise<void> | null = null;

  return {
    bootstrap,
    brokerIds,
    down: async (id) => void (await command(`down ${id}`)),
    up: async (id) => void (await command(`up ${id}`)),
    createTopic: async (name, partitions) => void (await command(`create ${name} ${partitions}`)),
    stop: () => {
      stopping ??= (async () => {
        if (exited) return;
        child.stdin.end(); // EOF: the launcher destroys the cluster and exits
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exitedPromise;
        clearTimeout(killer);
        lines.close();
      })();
      return stopping;
    },
  };
}

#!/usr/bin/env node
// `kairos`: the user command line. Started by apps/cli/bin/kairos.js (from dist/ or from source);
// this file wires the real process, file system, network and Kafka into the commands.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { KairosClient } from '@kairos/client';
import type { CliContext } from './cli-context';
import { runCli } from './program';
import { serviceEntry, type BuildMode } from './serve/service-entry';
import { LoginFile, loginFilePath } from './settings/cli-config.file';
import type { TopicAdmin, TopicAdminConfig } from './topics/topic-admin.port';

const mode: BuildMode = __filename.endsWith('.ts') ? 'source' : 'dist';
// apps/cli/src (source) or dist/apps/cli/src (build)
const root = resolve(__dirname, mode === 'source' ? '../../..' : '../../../..');

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    /* aborted: the caller checks the signal */
  }
}

const interrupt = new AbortController();
const onSigint = () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
  // Commands that watch stop at once; anything else is not waited for long.
  setTimeout(() => process.exit(130), 2000).unref();
};
process.on('SIGINT', onSigint);

const ctx: CliContext = {
  io: {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    readFile: (path) => readFile(path, 'utf8'),
    now: () => Date.now(),
    sleep,
  },
  version: version(),
  createClient: (opts) => new KairosClient(opts),
  loginStore: () => new LoginFile(loginFilePath(process.env, homedir()), (line) => void process.stderr.write(`${line}\n`)),
  topicAdmin: (config: TopicAdminConfig): TopicAdmin => {
    // kafkajs loads only for `kairos topics`.
    const { KafkaTopicAdmin } = require('./topics/kafka-topic.admin') as typeof import('./topics/kafka-topic.admin');
    return new KafkaTopicAdmin(config);
  },
  startService: async ({ entry, env }) => {
    // The service owns Ctrl-C from here on (Nest's shutdown hooks close it cleanly).
    process.off('SIGINT', onSigint);
    for (const [k, v] of Object.entries(env)) process.env[k] = v;
    require(entry);
  },
  registerBench: (bench: Command) => {
    const file = mode === 'source' ? join(root, 'bench', 'src', 'commands.ts') : join(root, 'dist', 'bench', 'src', 'commands.js');
    const { registerBenchCommands } = require(file) as { registerBenchCommands(cmd: Command): void };
    registerBenchCommands(bench);
  },
  interrupt: interrupt.signal,
};

runCli(process.argv.slice(2), ctx, { root, mode, entryOf: (service) => serviceEntry(root, mode, service) }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kairos: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 4;
  },
);

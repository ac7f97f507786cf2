import { InvalidArgumentError, type Command } from 'commander';
import type { KairosClient, KairosClientOptions } from '@kairos/client';
import type { LoginStore } from './settings/cli-config.file';
import { resolveConnection, type Connection } from './settings/cli-settings';
import type { TopicAdmin, TopicAdminConfig } from './topics/topic-admin.port';
import type { ServeTarget } from './serve/service-entry';

export interface TextOut {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: TextOut;
  stderr: TextOut & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): Promise<string>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Everything a command touches outside itself; main.ts wires the real ones, tests fakes. */
export interface CliContext {
  io: CliIo;
  version: string;
  createClient(opts: KairosClientOptions): KairosClient;
  loginStore(): LoginStore;
  topicAdmin(config: TopicAdminConfig): TopicAdmin;
  /** Runs a service in this process; resolves once it started (it keeps the process alive). */
  startService(target: ServeTarget): Promise<void>;
  /** Loads and mounts the benchmark subcommands (heavy imports, so only for `kairos bench`). */
  registerBench(bench: Command): void;
  /** Aborted on Ctrl-C. */
  interrupt: AbortSignal;
}

export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
  requestTimeout?: number;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function connectionOf(cmd: Command, ctx: CliContext): Connection {
  const g = globalsOf(cmd);
  const store = ctx.loginStore();
  const needFile = g.url === undefined || g.key === undefined;
  return resolveConnection({ url: g.url, key: g.key }, ctx.io.env, needFile ? store.read() : null, store.path);
}

export function clientOf(cmd: Command, ctx: CliContext): KairosClient {
  const conn = connectionOf(cmd, ctx);
  const g = globalsOf(cmd);
  return ctx.createClient({ baseUrl: conn.url, apiKey: conn.key, timeoutMs: g.requestTimeout, userAgent: `kairos-cli/${ctx.version}` });
}

// ---- option parsers: each failure names the flag through commander ("option '--limit <n>' argument …") ----

export function positiveInt(max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return Number(value);
  };
}

export function intInRange(min: number, max: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

export function numberInRange(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
    return n;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1500ms", "30s", "5m", "1.5h" → milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be a duration like 500ms, 30s, 5m or 1h');
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]]);
  if (ms < 1) throw new InvalidArgumentError('must be at least 1ms');
  return ms;
}

/** Repeatable KEY=VALUE flags into a record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i < 1) throw new InvalidArgumentError(`expected KEY=VALUE, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return value as T;
  };
}

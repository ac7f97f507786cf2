import { PassThrough } from 'node:stream';
import { KairosClient } from '@kairos/client';
import type { CliContext } from '../src/cli-context';
import { runCli } from '../src/program';
import type { ServeTarget } from '../src/serve/service-entry';
import type { LoginStore, SavedLogin } from '../src/settings/cli-config.file';
import type { TopicAdmin, TopicAdminConfig, TopicSpec } from '../src/topics/topic-admin.port';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

/** Answers one request; undefined → 404 NOT_FOUND like Nest's router. */
export type FakeRoute = (req: FakeRequest) => Response | undefined | Promise<Response | undefined>;

export const jsonReply = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export interface HarnessOptions {
  env?: Record<string, string>;
  files?: Record<string, string>;
  stdin?: string;
  isTTY?: boolean;
  saved?: SavedLogin | null;
  /** A fetch failure for every request (e.g. ECONNREFUSED) instead of the routes. */
  unreachable?: boolean;
  topicAdmin?: Partial<TopicAdmin>;
}

/**
 * The CLI wired to fakes: an in-memory HTTP API (routes), a virtual clock that sleeps advance,
 * an in-memory login store and captured stdout/stderr. No network, no files, no real time.
 */
export function cliHarness(route: FakeRoute, opts: HarnessOptions = {}) {
  let stdout = '';
  let stderr = '';
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const requests: FakeRequest[] = [];
  let saved: SavedLogin | null = opts.saved ?? null;
  const served: ServeTarget[] = [];
  const adminConfigs: TopicAdminConfig[] = [];
  const created: TopicSpec[][] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const req: FakeRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    };
    requests.push(req);
    if (opts.unreachable) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return (await route(req)) ?? jsonReply(404, { error: 'NOT_FOUND', message: `Cannot ${req.method} ${req.path}`, details: {} });
  }) as typeof fetch;
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.end(opts.stdin ?? '');
  const store: LoginStore = {
    path: '/home/u/.config/kairos/config.json',
    read: () => saved,
    write: (l) => void (saved = l),
    remove: () => {
      const had = saved !== null;
      saved = null;
      return had;
    },
  };
  const ctx: CliContext = {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: opts.isTTY ?? false, columns: 100 },
      stdin,
      env: opts.env ?? {},
      readFile: async (path) => {
        const text = opts.files?.[path];
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return text;
      },
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    },
    version: '9.9.9',
    createClient: (o) => new KairosClient({ ...o, fetch: fakeFetch, sleep: async (ms) => void (clock += ms), now: () => clock, random: () => 0 }),
    loginStore: () => store,
    topicAdmin: (config) => {
      adminConfigs.push(config);
      return {
        describe: async () => new Map(),
        create: async (t) => void created.push([...t]),
        close: async () => undefined,
        ...opts.topicAdmin,
      };
    },
    startService: async (t) => void served.push(t),
    registerBench: (bench) => void bench.command('fake').action(() => undefined),
    interrupt: new AbortController().signal,
  };
  const where = { root: '/repo', mode: 'source' as const, entryOf: (s: string) => `/repo/apps/${s}/src/main.ts` };
  return {
    ctx,
    requests,
    served,
    adminConfigs,
    created,
    saved: () => saved,
    out: () => stdout,
    err: () => stderr,
    elapsed: () => clock - Date.parse('2025-01-01T00:00:00Z'),
    run: async (...argv: string[]) => {
      stdout = '';
      stderr = '';
      return runCli(argv, ctx, where);
    },
  };
}

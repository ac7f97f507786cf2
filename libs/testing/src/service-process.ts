import { TEST_ADMIN_KEY } from './test-auth';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..', '..', '..');
export const TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ServiceProcess {
  name: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  waitHealthy(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/**
 * Starts one Kairos service as its own OS process, from source through the swc require hook (so a
 * test never runs a stale build). `app` is gateway | collector | analyzer | executor | standalone.
 */
export async function startService(app: string, env: Record<string, string>, name = app): Promise<ServiceProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  let out = '';
  const proc = spawn(process.execPath, ['--require', join(ROOT, 'scripts/swc-register.js'), join(ROOT, `apps/${app}/src/main.ts`)], {
    cwd: ROOT,
    // Tests poll and submit far above the production per-key rate (20/s); a test of the limit sets its own.
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', KAIROS_ADMIN_KEY: TEST_ADMIN_KEY, RATE_LIMIT_PER_SEC: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // KAIROS_E2E_LOG_DIR=<dir> keeps every service's whole output in <dir>/<name>.log for debugging.
  const logDir = process.env.KAIROS_E2E_LOG_DIR;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
    if (logDir) appendFileSync(join(logDir, `${name}.log`), c);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    name,
    port,
    proc,
    output: () => out,
    async waitHealthy(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}:\n${out}`);
        try {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          if (r.ok) return;
        } catch {
          /* not up yet */
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${name} not healthy after ${timeoutMs} ms:\n${out}`);
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A fresh PostgreSQL database for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kairos_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = TEST_PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

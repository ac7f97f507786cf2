import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@kairos/testing';

/**
 * A PostgreSQL cluster of the suite's own (initdb in a scratch folder under the OS tmp dir, its own port on
 * 127.0.0.1), so a test may stop and restart it without touching the shared server other tests use.
 * As root the binaries run as the `postgres` OS user (PostgreSQL refuses to run as root).
 */
export interface ScratchPostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<db> */
  url(db: string): string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (immediate) and removes the scratch folder. */
  destroy(): Promise<void>;
  log(): string;
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or null. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

/** Starts a scratch cluster with database `db`, or returns why it cannot be started on this host. */
export async function startScratchPostgres(db: string): Promise<ScratchPostgres | { skipped: string }> {
  const bin = findPostgresBin();
  if (!bin) return { skipped: 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl)' };
  const asRoot = process.getuid?.() === 0;
  let uid = -1;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    } catch {
      return { skipped: 'running as root and there is no `postgres` OS user to run initdb/pg_ctl as' };
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'kairos-faults-pg-'));
  if (asRoot) chownSync(dir, uid, -1);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
  };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const pg: ScratchPostgres = {
    port,
    url: (name) => `postgres://postgres@127.0.0.1:${port}/${name}`,
    async start() {
      run('pg_ctl', ['-D', data, '-o', opts, '-l', logFile, '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    async destroy() {
      try {
        if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-5_000) : ''),
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pg.start();
    const c = new Client({ connectionString: pg.url('postgres') });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    return pg;
  } catch (err) {
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    await pg.destroy().catch(() => undefined);
    return { skipped: `could not start a scratch PostgreSQL cluster (${bin}): ${why.slice(0, 500)}` };
  }
}

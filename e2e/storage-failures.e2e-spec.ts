import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, freePort, startService, TEST_PG_ADMIN_URL, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Answer = { status: number; retryAfter: string | null; body: { id?: string; error?: string } };

/** A TCP proxy in front of PostgreSQL that the test can take down (refusing and cutting every connection) and bring back. */
class PgProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}
  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((res) => this.server!.listen(this.port, '127.0.0.1', res));
  }
  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((res) => s.close(() => res()));
  }
}

/** The accepted tasks all end succeeded (none lost), each with exactly one completed event. */
async function expectAllSucceeded(pg: Client, ids: string[], dump: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    const r = await pg.query(`SELECT status, count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
    const counts = Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    if (counts.succeeded === ids.length) break;
    if (Date.now() > until) throw new Error(`accepted tasks not all succeeded: ${JSON.stringify(counts)} of ${ids.length}\n${dump()}`);
    await sleep(500);
  }
  const events = await pg.query(`SELECT key, count(*)::int AS n FROM outbox WHERE topic = 'task.completed.v1' AND key = ANY($1::text[]) GROUP BY key`, [ids]);
  expect(events.rowCount).toBe(ids.length);
  expect(events.rows.every((e) => e.n === 1)).toBe(true);
}

function harness(name: string) {
  const h = {
    svc: null as ServiceProcess | null,
    async boot(databaseUrl: string, dataDir: string) {
      h.svc = await startService('standalone', { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, EXECUTOR_NODES: 'n1:8000:8192', EXECUTOR_SLOTS: '4', LEASE_MS: '30000' }, name);
      await h.svc.waitHealthy(120_000);
    },
    base: () => `http://127.0.0.1:${h.svc!.port}`,
    async submit(key: string): Promise<Answer> {
      const r = await fetch(`${h.base()}/api/tasks`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ run: { kind: 'noop', sleepMs: 20 }, idempotencyKey: key }) });
      return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as Answer['body'] };
    },
    async health(): Promise<{ status: number; body: { status: string; database: string; databaseError: string | null; down: string[] } }> {
      const r = await fetch(`${h.base()}/health`);
      return { status: r.status, body: (await r.json()) as never };
    },
    async waitHealth(ok: boolean, ms = 60_000) {
      const until = Date.now() + ms;
      for (;;) {
        const hl = await h.health().catch(() => null);
        if (hl && (hl.status === 200) === ok) return hl;
        if (Date.now() > until) throw new Error(`/health never ${ok ? 'ok' : 'down'}: ${JSON.stringify(hl)}\n${h.dump()}`);
        await sleep(250);
      }
    },
    dump: () => `--- ${name}\n${h.svc?.output().slice(-15_000) ?? ''}`,
  };
  return h;
}

describe('PostgreSQL unreachable', () => {
  const h = harness('standalone-pg-down');
  let db: { url: string; drop(): Promise<void> };
  let proxy: PgProxy;
  let pg: Client;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-pgdown-'));
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new PgProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.up();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    await h.boot(viaProxy.toString(), dir);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await h.svc?.kill();
    await proxy?.down();
    await db?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 STORAGE_UNAVAILABLE with Retry-After, /health is down, and loses nothing accepted before', async () => {
    const accepted: string[] = [];
    for (let i = 0; i < 30; i++) {
      const a = await h.submit(`before-${i}`);
      expect(a.status).toBe(201);
      accepted.push(a.body.id!);
    }
    await proxy.down();
    const during: Answer[] = [];
    for (let i = 0; i < 10; i++) during.push(await h.submit(`during-${i}`));
    expect(during.map((a) => a.status)).toEqual(Array(10).fill(503));
    for (const a of during) {
      expect(a.body.error).toBe('STORAGE_UNAVAILABLE');
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
    }
    const health = await h.waitHealth(false, 15_000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', database: 'down', databaseError: 'STORAGE_UNAVAILABLE' });
    expect(health.body.down).toContain('database');

    await proxy.up();
    await h.waitHealth(true, 60_000);
    // The refused submissions, retried with the same keys, are accepted now.
    for (let i = 0; i < 10; i++) {
      const a = await h.submit(`during-${i}`);
      expect(a.status).toBe(201);
      accepted.push(a.body.id!);
    }
    await expectAllSucceeded(pg, accepted, h.dump);
  }, 240_000);
});

/**
 * Disk full, for real where the test may: the database lives in a tablespace on a 64 MB tmpfs (needs
 * root with CAP_SYS_ADMIN and a PostgreSQL server on this machine), filled with a table of random
 * text until PostgreSQL answers 53100 (could not extend file: No space left on device). Elsewhere
 * the same SQLSTATE comes from a BEFORE INSERT trigger on tasks (a fault point in the test's own
 * database): the service's path is the same, the disk is not; the test's name says which ran.
 */
function canUseTmpfsTablespace(dataDirectory: string | null): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !dataDirectory || !existsSync(dataDirectory)) return false;
  const probe = mkdtempSync(join(tmpdir(), 'kairos-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('disk full', () => {
  const h = harness('standalone-disk-full');
  const suffix = randomBytes(5).toString('hex');
  const dbName = `kairos_full_${suffix}`;
  const tablespace = `kairos_ts_${suffix}`;
  let mode: 'tmpfs tablespace' | 'SQLSTATE 53100 trigger' = 'SQLSTATE 53100 trigger';
  let mnt: string | null = null;
  let dir: string;
  let admin: Client;
  let pg: Client;
  let url: string;
  let triggerDb: { url: string; drop(): Promise<void> } | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-diskfull-'));
    admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await admin.connect();
    const dataDirectory = (await admin.query(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`).catch(() => ({ rows: [] }))).rows[0]?.setting ?? null;
    if (canUseTmpfsTablespace(dataDirectory)) {
      mode = 'tmpfs tablespace';
      mnt = mkdtempSync(join(tmpdir(), 'kairos-tblspc-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', mnt]);
      const owner = statSync(dataDirectory!);
      execFileSync('chown', [`${owner.uid}:${owner.gid}`, mnt]);
      await admin.query(`CREATE TABLESPACE ${tablespace} LOCATION '${mnt}'`);
      await admin.query(`CREATE DATABASE ${dbName} TABLESPACE ${tablespace}`);
      url = TEST_PG_ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
    } else {
      triggerDb = await createTestDatabase();
      url = triggerDb.url;
    }
    await h.boot(url, dir);
    pg = new Client({ connectionString: url });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await h.svc?.kill();
    if (mnt) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.query(`DROP TABLESPACE IF EXISTS ${tablespace}`).catch(() => undefined);
      try {
        execFileSync('umount', [mnt]);
      } catch {
        /* reported by the leftover mount, nothing else to do */
      }
      rmSync(mnt, { recursive: true, force: true });
    }
    await triggerDb?.drop().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const fill = async (): Promise<void> => {
    if (mode === 'SQLSTATE 53100 trigger') {
      await pg.query(`CREATE FUNCTION kairos_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file: No space left on device (test fault point)' USING ERRCODE = '53100'; END $$`);
      await pg.query(`CREATE TRIGGER kairos_test_disk_full BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION kairos_test_disk_full()`);
      return;
    }
    // Rows just under 2 KB of random hex: stored inline, uncompressed, so each batch takes real space.
    await pg.query(`CREATE TABLE filler (pad text)`);
    for (const batch of [2000, 200, 20, 1]) {
      for (let i = 0; i < 1000; i++) {
        try {
          await pg.query(`INSERT INTO filler SELECT (SELECT string_agg(md5(random()::text || g || s), '') FROM generate_series(1, 58) s) FROM generate_series(1, $1::int) g`, [batch]);
        } catch (err) {
          if ((err as { code?: string }).code !== '53100') throw err;
          break;
        }
      }
    }
  };
  const unfill = async (): Promise<void> => {
    if (mode === 'SQLSTATE 53100 trigger') {
      await pg.query(`DROP TRIGGER kairos_test_disk_full ON tasks`);
      return;
    }
    await pg.query(`DROP TABLE filler`);
  };

  it('answers 503 STORAGE_FULL with Retry-After, /health is down, and loses nothing accepted before or during', async () => {
    console.log(`disk-full test mode: ${mode}`);
    const accepted: string[] = [];
    for (let i = 0; i < 30; i++) {
      const a = await h.submit(`before-${i}`);
      expect(a.status).toBe(201);
      accepted.push(a.body.id!);
    }
    await fill();
    // Until a table must grow, a full disk still takes rows into free space of existing pages: submit
    // until refused; everything answered is either stored (201) or refused with 503 STORAGE_FULL.
    const refused: string[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 2000 && refused.length < 5; i++) {
      const a = await h.submit(`during-${i}`);
      statuses.push(a.status);
      if (a.status === 201) accepted.push(a.body.id!);
      else {
        expect(a).toMatchObject({ status: 503, body: { error: 'STORAGE_FULL' } });
        expect(Number(a.retryAfter)).toBeGreaterThan(0);
        refused.push(`during-${i}`);
      }
    }
    console.log(`disk full: ${statuses.length - refused.length} submissions still stored in free page space, then ${refused.length} refused`);
    expect(refused.length).toBe(5);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    const health = await h.health();
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', database: 'down', databaseError: 'STORAGE_FULL' });

    await unfill();
    const freedAt = Date.now();
    await h.waitHealth(true, 90_000);
    console.log(`disk full: /health ok again ${Date.now() - freedAt} ms after space was freed`);
    for (const key of refused) {
      const a = await h.submit(key);
      expect(a.status).toBe(201);
      accepted.push(a.body.id!);
    }
    await expectAllSucceeded(pg, accepted, h.dump);
  }, 300_000);
});

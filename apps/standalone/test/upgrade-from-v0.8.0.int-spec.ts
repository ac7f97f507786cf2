import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { Database } from '@kairos/persistence';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';
import { STANDALONE_MIGRATIONS } from './standalone-migrations';

// A database made by the last release, with data in it, must migrate cleanly with the current code
// and keep working, on both engines standalone can use. The fixture is plain SQL from pg_dump
// --inserts of what release v0.8.0 wrote (how: fixtures/v0.8.0/README.md, scripts/make-upgrade-fixture.sh).
const FIXTURE = readFileSync(join(__dirname, 'fixtures/v0.8.0/postgres.sql'), 'utf8');

/** Rows per table as the release left them (counted from the dump's INSERT statements). */
function fixtureCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of FIXTURE.matchAll(/^INSERT INTO public\.([a-z_]+) /gm)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

interface Engine {
  readonly name: string;
  /** Loads the fixture into a fresh database; returns how to open it with the current code and as a service. */
  load(): Promise<{ open: () => Promise<Database>; serviceEnv: Record<string, string>; drop: () => Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'PostgreSQL',
    async load() {
      const tdb = await createTestDatabase();
      const c = new Client({ connectionString: tdb.url });
      await c.connect();
      await c.query(FIXTURE);
      await c.end();
      const dataDir = mkdtempSync(join(tmpdir(), 'kairos-upgrade-pg-'));
      return {
        open: () => Database.open({ url: tdb.url, dataDir, migrations: STANDALONE_MIGRATIONS }),
        serviceEnv: { DATABASE_URL: tdb.url, DATA_DIR: dataDir },
        drop: async () => {
          await tdb.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PGlite',
    async load() {
      const dataDir = mkdtempSync(join(tmpdir(), 'kairos-upgrade-pglite-'));
      // Where Database.open (and so standalone with DATA_DIR) keeps its embedded database.
      const pg = await PGlite.create({ dataDir: join(dataDir, 'pglite') });
      await pg.exec(FIXTURE);
      await pg.close();
      return {
        open: () => Database.open({ dataDir, migrations: STANDALONE_MIGRATIONS }),
        serviceEnv: { DATA_DIR: dataDir },
        drop: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  },
];

describe.each(ENGINES)('upgrade from v0.8.0 on $name', (engine) => {
  let loaded: Awaited<ReturnType<Engine['load']>>;

  beforeAll(async () => {
    loaded = await engine.load();
  });
  afterAll(async () => {
    await loaded?.drop();
  });

  it('runs every current migration on the release’s database and keeps its data', async () => {
    const db = await loaded.open();
    try {
      const applied = (await db.query<{ name: string }>('SELECT name FROM kairos_migrations')).map((r) => r.name);
      // The release's own eight are still recorded, and every current one has run.
      expect(applied.sort()).toEqual(STANDALONE_MIGRATIONS.map((m) => m.name).sort());
      expect(applied.length).toBeGreaterThanOrEqual(fixtureCounts().get('kairos_migrations')!);
      // Nothing the release stored is lost. (A migration that moves or archives rows on purpose says so here.)
      for (const [table, rows] of fixtureCounts()) {
        if (table === 'kairos_migrations') continue; // grows by the new migrations, checked above
        const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        expect({ table, rows: n }).toEqual({ table, rows });
      }
      const byName = async (name: string) => (await db.query<{ status: string; attempts: number; queue: string; labels: Record<string, string> }>('SELECT status, attempts, queue, labels FROM tasks WHERE name = $1', [name]))[0];
      expect(await byName('hello')).toMatchObject({ status: 'succeeded', attempts: 1, queue: 'batch', labels: { fixture: 'v0.8.0' } });
      expect(await byName('fails-twice')).toMatchObject({ status: 'failed', attempts: 2 });
      expect(await byName('too-slow')).toMatchObject({ status: 'timed_out' });
      expect(await byName('cancel-me')).toMatchObject({ status: 'cancelled' });
      const [out] = await db.query<{ output_tail: string }>(`SELECT a.output_tail FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.name = 'hello'`);
      expect(out?.output_tail).toBe('hello from v0.8.0\n');
      expect(await db.query('SELECT name, status FROM workflow_runs')).toEqual([{ name: 'fixture-dag', status: 'failed' }]);
      expect(await db.query('SELECT queue, policy, placement FROM queue_policies')).toEqual([{ queue: 'batch', policy: 'sjf', placement: 'best-fit' }]);
      expect(await db.query('SELECT kind, dry_run, status FROM repair_actions ORDER BY kind')).toEqual([
        { kind: 'scale_request', dry_run: true, status: expect.any(String) },
        { kind: 'throttle_queue', dry_run: false, status: expect.any(String) },
      ]);
      expect(await db.query(`SELECT name, version, stage FROM model_versions`)).toEqual([{ name: 'duration', version: 1, stage: 'production' }]);
    } finally {
      await db.close();
    }
  });

  it('serves the release’s data through the current API and runs new work on it', async () => {
    let svc: ServiceProcess | null = null;
    try {
      svc = await startService('standalone', { ...loaded.serviceEnv, EXECUTOR_NODES: 'upgrade-n1:4000:8192' }, `standalone-upgrade-${engine.name}`);
      await svc.waitHealthy(90_000);
      const base = `http://127.0.0.1:${svc.port}`;
      const get = async (path: string) => {
        const r = await fetch(`${base}${path}`, { headers: authHeaders() });
        expect({ path, status: r.status }).toEqual({ path, status: 200 });
        return (await r.json()) as Record<string, unknown> & Array<Record<string, unknown>>;
      };
      const list = await get('/api/tasks?limit=1000');
      const old = list.filter((t) => t.createdAt !== undefined);
      expect(old).toHaveLength(fixtureCounts().get('tasks')!);
      const hello = list.find((t) => t.name === 'hello')!;
      expect(await get(`/api/tasks/${String(hello.id)}`)).toMatchObject({ status: 'succeeded', attempts: 1 });
      const wf = (await get('/api/workflows')) as unknown as { items?: unknown[] } & unknown[];
      expect(JSON.stringify(wf)).toContain('fixture-dag');
      expect(JSON.stringify(await get('/api/queues'))).toContain('"policy":"sjf"');
      // New work on the old data: a task submitted now runs to success.
      const r = await fetch(`${base}/api/tasks`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ name: 'after-upgrade', run: { kind: 'shell', command: ['sh', '-c', 'echo upgraded'] } }) });
      expect(r.status).toBe(201);
      const { id } = (await r.json()) as { id: string };
      const until = Date.now() + 60_000;
      let status = 'queued';
      while (Date.now() < until && (status === 'queued' || status === 'running')) {
        await new Promise((res) => setTimeout(res, 250));
        status = String((await get(`/api/tasks/${id}`)).status);
      }
      expect(status).toBe('succeeded');
    } catch (err) {
      if (svc) process.stderr.write(`standalone output:\n${svc.output()}\n`);
      throw err;
    } finally {
      await svc?.kill();
    }
  });
});

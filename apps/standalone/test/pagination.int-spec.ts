import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

// Lean lists: every list endpoint answers { items, nextCursor }, keyset-paginated (newest first), and
// list rows are summaries (no env, headers or body; output shortened) while the detail has the spec.
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('cursor pagination of the list endpoints', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let svc: ServiceProcess;

  const api = async <T>(path: string, body?: unknown): Promise<{ status: number; data: T }> => {
    const r = await fetch(`http://127.0.0.1:${svc.port}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: authHeaders(), body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, data: (await r.json()) as T };
  };
  async function all<T extends { id: string }>(path: string, limit: number, key: 'id' | 'actionId' = 'id'): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const r: { status: number; data: Page<T> } = await api<Page<T>>(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.data.items.length).toBeLessThanOrEqual(limit);
      ids.push(...r.data.items.map((x) => String((x as unknown as Record<string, unknown>)[key])));
      cursor = r.data.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    return { ids, pages };
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-pages-'));
    svc = await startService('standalone', { DATABASE_URL: tdb.url, DATA_DIR: dataDir }, 'pages-standalone');
    await svc.waitHealthy(120_000);
  }, 180_000);
  afterAll(async () => {
    await svc?.kill();
    await tdb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('pages tasks newest first, each exactly once, with summary rows', async () => {
    // Submitted concurrently: group commit puts many in one statement, so created_at values are close
    // (microseconds apart), which is where a millisecond cursor would skip rows.
    const submitted = await Promise.all(Array.from({ length: 30 }, (_, i) => api<{ id: string }>('/api/tasks', { name: `p${i}`, run: { kind: 'shell', command: ['true'], env: { STAGE: `visible-${i}` } } })));
    expect(submitted.every((s) => s.status === 201)).toBe(true);
    const { ids, pages } = await all<{ id: string }>('/api/tasks', 7);
    expect(pages).toBe(5);
    expect([...ids].sort()).toEqual(submitted.map((s) => s.data.id).sort());

    const newest = await api<Page<{ id: string; createdAt: string; run: Record<string, unknown> }>>('/api/tasks?limit=30');
    const times = newest.data.items.map((t) => Date.parse(t.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(newest.data.nextCursor).toBeNull();
    // Summaries: the command, not the environment; the detail has the whole spec.
    expect(newest.data.items[0]!.run).toEqual({ kind: 'shell', command: ['true'] });
    const detail = await api<{ run: { env: Record<string, string> } }>(`/api/tasks/${newest.data.items[0]!.id}`);
    expect(detail.data.run.env.STAGE).toMatch(/^visible-/);

    // Filters combine with the cursor.
    expect((await all('/api/tasks?queue=default', 4)).ids).toHaveLength(30);
    expect((await all('/api/tasks?queue=other', 4)).ids).toHaveLength(0);
  }, 60_000);

  it('pages workflows and dead letters the same way', async () => {
    const wfs = await Promise.all([0, 1, 2, 3, 4].map((i) => api<{ id: string }>('/api/workflows', { name: `wf${i}`, tasks: [{ key: 'a', run: { kind: 'noop', sleepMs: 1 } }, { key: 'b', run: { kind: 'noop', sleepMs: 1 }, dependsOn: ['a'] }] })));
    expect(wfs.map((w) => w.status)).toEqual([201, 201, 201, 201, 201]);
    const { ids, pages } = await all<{ id: string }>('/api/workflows', 2);
    expect(pages).toBe(3);
    expect([...ids].sort()).toEqual(wfs.map((w) => w.data.id).sort());
    const one = await api<Page<{ counts: Record<string, number> }>>('/api/workflows?limit=1');
    expect(Object.values(one.data.items[0]!.counts).reduce((a, b) => a + b, 0)).toBe(2);

    const dl = await api<Page<unknown>>('/api/dead-letters');
    expect(dl).toEqual({ status: 200, data: { items: [], nextCursor: null } });

    // The audits: three repairs applied by the executor, paged two at a time.
    for (const q of ['pa', 'pb', 'pc']) expect((await api('/api/repairs', { action: { kind: 'throttle_queue', queue: q, maxConcurrent: 3 }, reason: 'paging test' })).status).toBe(202);
    let repairs: string[] = [];
    for (let i = 0; i < 120 && repairs.length < 3; i++) {
      repairs = (await all<{ id: string }>('/api/repairs', 2, 'actionId')).ids;
      if (repairs.length < 3) await new Promise((r) => setTimeout(r, 250));
    }
    expect(repairs).toHaveLength(3);
    expect(new Set(repairs).size).toBe(3);
    const diagnoses = (await api<Page<unknown>>('/api/diagnoses?limit=5')).data;
    expect(Array.isArray(diagnoses.items) && diagnoses.nextCursor === null).toBe(true);
  }, 60_000);

  it('refuses a cursor it did not make, and limits out of range, naming the field', async () => {
    for (const path of ['/api/tasks?cursor=bm90LWEtY3Vyc29y', '/api/workflows?cursor=eyJ0IjoxfQ', '/api/dead-letters?cursor=%00', '/api/tasks?limit=1001', '/api/tasks?limit=0']) {
      const r = await api<{ error: string; message: string }>(path);
      expect({ path, status: r.status, error: r.data.error }).toEqual({ path, status: 400, error: 'VALIDATION_FAILED' });
      expect(r.data.message).toMatch(/query\.(cursor|limit)/);
    }
  });
});

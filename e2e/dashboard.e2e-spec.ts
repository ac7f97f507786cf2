import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { authHeaders, startService, TEST_ADMIN_KEY, type ServiceProcess } from '@kairos/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(__dirname, '..');
const SHOTS = join(ROOT, 'tmp');
const BUILT = join(ROOT, 'dist', 'apps', 'dashboard', 'index.html');
/** KAIROS_UPDATE_DOCS_SCREENSHOT=1 also copies the workflow screenshot to docs/dashboard.png. */
const DOCS_SHOT = join(ROOT, 'docs', 'dashboard.png');

interface WorkflowTask {
  key: string;
  status: string;
  taskId: string | null;
  taskStatus: string | null;
}
interface Workflow {
  id: string;
  name: string;
  status: string;
  tasks: WorkflowTask[];
  edges: Array<{ from: string; to: string; origin: string }>;
}
interface Attempt {
  attempt: number;
  nodeId: string;
  status: string;
}

// The web dashboard (apps/dashboard, built by `npm run build`) in a real headless Chromium against
// standalone mode (PGlite, in-process bus) with two executor nodes: what a person sees after submitting
// commands through the form and a workflow with the `kairos` CLI. Bounded to 90 s in all.
describe('web dashboard', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];
  // Every HTTP error the page met; the expected ones are listed at the end.
  const httpErrors: string[] = [];
  const responseHeaders = new Map<string, Record<string, string>>();
  // What the page's WebSockets received (GraphQL subscriptions over graphql-ws), as text frames.
  const socketUrls: string[] = [];
  const socketFrames: string[] = [];
  let signInErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`the dashboard is not built (${BUILT} missing): run npm run build (or npm run build:dashboard) first`);
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-dashboard-'));
    service = await startService('standalone', { DATA_DIR: dataDir, EXECUTOR_NODES: 'alpha:1000:2048,beta:1000:2048' });
    await service.waitHealthy(60_000);
    base = `http://127.0.0.1:${service.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Chromium also logs each HTTP error to the console; those are checked through httpErrors. A CSP
    // violation would show up here as a console error.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    page.on('websocket', (ws) => {
      socketUrls.push(ws.url());
      ws.on('framereceived', (f) => void (typeof f.payload === 'string' && socketFrames.push(f.payload)));
    });
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400) httpErrors.push(`${r.request().method()} ${path} ${r.status()}`);
      if (path === '/' || path.startsWith('/assets/')) responseHeaders.set(path, r.headers());
    });
    mkdirSync(SHOTS, { recursive: true });
    // The server requires a key: the first API answer is 401 and the app shows its login view; a wrong
    // key shows the server's message; the right one is exchanged for the HttpOnly session cookie.
    try {
      await page.goto(`${base}/`);
      await page.locator('#login').waitFor({ timeout: 20_000 });
      await page.fill('#api-key', 'kairos_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro');
      await page.click('#login button[type=submit]');
      await page.locator('#login-error', { hasText: 'API key 0000000000000000 does not exist' }).waitFor({ timeout: 10_000 });
      await page.fill('#api-key', TEST_ADMIN_KEY);
      await page.click('#login button[type=submit]');
      await page.locator('#login').waitFor({ state: 'detached', timeout: 10_000 });
    } catch (e) {
      const shown = await page.locator('body').innerHTML().catch(() => '(unreadable)');
      throw new Error(`${(e as Error).message}\npage: ${shown.slice(0, 2000)}\n${dump()}`);
    }
    signInErrors = httpErrors.splice(0);
  }, 75_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await service?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 15_000);

  const dump = () => `page errors: ${JSON.stringify(pageErrors)}; HTTP errors: ${JSON.stringify(httpErrors)}\n--- standalone\n${service?.output().slice(-3000)}`;
  const count = async (status: string) => Number(await page.locator(`#counts [data-status="${status}"] b`).textContent());
  /** `kairos submit -f <file>` (the CLI from source, as a child process): the workflow id it printed. */
  const kairosSubmit = (file: string) =>
    new Promise<string>((res, rej) => {
      execFile(
        process.execPath,
        [join(ROOT, 'apps', 'cli', 'bin', 'kairos.js'), 'submit', '-f', file],
        { cwd: ROOT, timeout: 45_000, env: { ...process.env, NODE_OPTIONS: '', KAIROS_CLI_FROM_SOURCE: '1', XDG_CONFIG_HOME: join(dataDir, 'cli-config'), KAIROS_URL: base, KAIROS_KEY: TEST_ADMIN_KEY } },
        (err, stdout, stderr) => {
          const id = /^submitted workflow \S+ ([0-9a-f-]{36}) /m.exec(stderr)?.[1];
          if (err || !id) rej(new Error(`kairos submit: ${err?.message ?? 'no workflow id printed'}\n${stdout}\n${stderr}`));
          else res(id);
        },
      );
    });
  const api = async <T>(path: string, init?: { method: string; body: unknown }): Promise<T> => {
    const r = await fetch(`${base}${path}`, init ? { method: init.method, headers: authHeaders(), body: JSON.stringify(init.body) } : { headers: authHeaders() });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };

  it('runs commands from the form, shows a workflow as a live DAG and its attempts on a Gantt per node, and the other views', async () => {
    const startedAt = Date.now();
    try {
      // Served as built assets under a strict CSP; hashed assets cached as immutable.
      expect(responseHeaders.get('/')?.['content-security-policy']).toMatch(/^default-src 'self'/);
      const asset = [...responseHeaders.entries()].find(([p]) => p.endsWith('.js'));
      expect(asset?.[1]['cache-control']).toBe('public, max-age=31536000, immutable');
      await expectText('#health', /^ok · db pglite · bus in-process · ml \S+$/);

      // A command through the form: it shows up in the recent-tasks table and reaches succeeded.
      await page.fill('#cmd', 'echo from-browser');
      await page.click('#submit button[type=submit]');
      const row = page.locator('#tasks tbody tr', { hasText: 'echo from-browser' });
      await row.first().waitFor({ timeout: 5_000 });
      await expectText('#tasks tbody tr:has-text("echo from-browser") td:nth-child(4)', /^succeeded$/, 20_000);
      expect(await row.first().locator('td:nth-child(8)').textContent()).toContain('from-browser');
      expect((await row.first().locator('td:nth-child(5)').textContent())?.trim()).toBe('0');
      expect(await page.inputValue('#cmd')).toBe('');
      expect((await page.textContent('#error'))?.trim()).toBe('');

      // An empty command: the API's validation error, naming the field, appears next to the form.
      await page.fill('#cmd', '   ');
      await page.click('#submit button[type=submit]');
      await expectText('#error', /run\.command/);
      await page.screenshot({ path: join(SHOTS, 'dashboard-error.png') });
      expect(await page.locator('#tasks tbody tr').count()).toBe(1);

      // A second good command clears the error; the counts follow.
      await page.fill('#cmd', 'echo second');
      await page.click('#submit button[type=submit]');
      await expectText('#error', /^$/);
      await expectText('#tasks tbody tr:has-text("echo second") td:nth-child(4)', /^succeeded$/, 20_000);
      await waitFor(async () => (await count('succeeded')) === 2, 'succeeded count to reach 2');
      expect(await count('queued')).toBe(0);
      expect(await count('running')).toBe(0);
      expect(await count('failed')).toBe(0);

      // The throughput chart has a bar of positive height for the minute those tasks completed in.
      await waitFor(
        async () => page.$$eval('#chart rect.bar', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length > 0),
        'a throughput bar',
      );
      expect(await page.locator('#chart').textContent()).not.toContain('no completed tasks yet');
      // Both executor nodes are listed as ready.
      await waitFor(async () => (await page.locator('#nodes tbody tr', { hasText: 'ready' }).count()) === 2, 'two ready nodes');
      await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });

      // A workflow submitted as a user would, with the CLI (`kairos submit -f`), then followed in the
      // page: a flaky task that fails once then succeeds (two attempts), a file edge (transform writes
      // clean.csv, load reads it), a failing task and its downstream.
      const marker = join(dataDir, 'flaky.marker');
      const wfFile = join(dataDir, 'e2e-etl.json');
      writeFileSync(wfFile, JSON.stringify({
          name: 'e2e-etl',
          tasks: [
            { key: 'extract', run: { kind: 'noop', sleepMs: 300 } },
            {
              key: 'flaky',
              dependsOn: ['extract'],
              maxAttempts: 2,
              run: { kind: 'shell', command: ['sh', '-c', 'if [ -e "$1" ]; then echo recovered; else : > "$1"; echo first try fails >&2; exit 1; fi', 'flaky', marker] },
            },
            { key: 'transform', dependsOn: ['extract'], outputs: ['clean.csv'], run: { kind: 'noop', sleepMs: 400 } },
            { key: 'load', dependsOn: ['flaky'], inputs: ['clean.csv'], run: { kind: 'shell', command: ['echo', 'loaded'] } },
            { key: 'broken', dependsOn: ['extract'], run: { kind: 'shell', command: ['sh', '-c', 'exit 4'] } },
            { key: 'after-broken', dependsOn: ['broken'], run: { kind: 'noop', sleepMs: 10 } },
          ],
        }));
      const submitted = { id: await kairosSubmit(wfFile) };

      // It appears in the workflow list; its page shows the DAG, live, until the run is done.
      await page.goto(`${base}/#/workflows`);
      await page.locator(`#workflows tbody tr[data-id="${submitted.id}"]`, { hasText: 'e2e-etl' }).waitFor({ timeout: 10_000 });
      await page.click(`#workflows tbody tr[data-id="${submitted.id}"] td:nth-child(2) a`);
      await page.locator('#dag g.dag-node').first().waitFor({ timeout: 10_000 });
      await waitFor(async () => /\bfailed\b/.test((await page.textContent('#wf-summary')) ?? ''), 'the workflow to finish (failed: broken exits 4)', 30_000);

      // Live by push: the page subscribed to the run (graphql-ws on /graphql, authenticated by the session
      // cookie on the upgrade; the page holds no key) and received its updates.
      expect(socketUrls.map((u) => new URL(u).pathname)).toContain('/graphql');
      await waitFor(async () => socketFrames.some((f) => f.includes('"workflowUpdates"') && f.includes(submitted.id)), 'a pushed workflowUpdates event of the run');

      const done = await api<Workflow>(`/api/workflows/${submitted.id}`);
      expect(done.status).toBe('failed');
      const shown = (t: WorkflowTask) => t.taskStatus ?? t.status;
      expect(Object.fromEntries(done.tasks.map((t) => [t.key, shown(t)]))).toEqual({
        extract: 'succeeded',
        flaky: 'succeeded',
        transform: 'succeeded',
        load: 'succeeded',
        broken: 'failed',
        'after-broken': 'upstream_failed',
      });
      // Every task is a node in the state the API reports; every edge is drawn between the right tasks.
      await waitFor(async () => {
        const nodes = await page.$$eval('#dag g.dag-node', (gs) => gs.map((g) => [g.getAttribute('data-key'), g.getAttribute('data-status')]));
        return JSON.stringify(Object.fromEntries(nodes)) === JSON.stringify(Object.fromEntries(done.tasks.map((t) => [t.key, shown(t)])));
      }, 'DAG node states to match the API');
      const edges = await page.$$eval('#dag path.dag-edge', (ps) => ps.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`).sort());
      expect(edges).toEqual(done.edges.map((e) => `${e.from}>${e.to}`).sort());
      expect(edges).toEqual(['broken>after-broken', 'extract>broken', 'extract>flaky', 'extract>transform', 'flaky>load', 'transform>load']);
      expect(done.edges.find((e) => e.from === 'transform' && e.to === 'load')?.origin).toBe('file');
      expect(await page.locator('#dag path.dag-edge.o-file').count()).toBe(1);

      // The Gantt: one bar per attempt (flaky has two), each on its node's row.
      const expected = new Map<string, string>();
      for (const t of done.tasks.filter((x) => x.taskId)) {
        const detail = await api<{ attemptsDetail: Attempt[] }>(`/api/tasks/${t.taskId}`);
        for (const a of detail.attemptsDetail) expected.set(`${t.taskId}#${a.attempt}`, a.nodeId);
      }
      const flakyId = done.tasks.find((t) => t.key === 'flaky')!.taskId!;
      expect([expected.has(`${flakyId}#1`), expected.has(`${flakyId}#2`)]).toEqual([true, true]);
      expect(new Set(expected.values()).size).toBeGreaterThanOrEqual(1);
      const readBars = () =>
        page.$$eval('#wf-gantt rect.gantt-bar', (rs) =>
          rs.map((r) => {
            const row = document.querySelector(`#wf-gantt g.gantt-row[data-node="${r.getAttribute('data-node')}"] rect.row-bg`);
            const b = r.getBoundingClientRect();
            const rb = row?.getBoundingClientRect();
            return { key: `${r.getAttribute('data-task-id')}#${r.getAttribute('data-attempt')}`, node: r.getAttribute('data-node'), status: r.getAttribute('data-status'), inRow: !!rb && b.top >= rb.top && b.bottom <= rb.bottom };
          }),
        );
      await waitFor(async () => (await readBars()).length === expected.size, `${expected.size} Gantt bars`);
      const bars = await readBars();
      expect(Object.fromEntries(bars.map((b) => [b.key, b.node]))).toEqual(Object.fromEntries(expected));
      expect(bars.every((b) => b.inRow)).toBe(true);
      expect(bars.find((b) => b.key === `${flakyId}#1`)?.status).toBe('failed');
      expect(bars.find((b) => b.key === `${flakyId}#2`)?.status).toBe('succeeded');
      await page.screenshot({ path: join(SHOTS, 'dashboard-workflow.png'), fullPage: true });
      if (process.env.KAIROS_UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(join(SHOTS, 'dashboard-workflow.png'), DOCS_SHOT);

      // The flaky task's page: both attempts with outcome and exit code, the output, and the
      // decision panel: why its last attempt went to its node (the executor's placement record), the
      // other node as runner-up and why it lost, and the confidence.
      await page.click(`#wf-tasks a:text-is("flaky")`);
      await page.locator('#attempts tbody tr').nth(1).waitFor({ timeout: 10_000 });
      expect(await page.$$eval('#attempts tbody tr', (rs) => rs.map((r) => [r.children[0].textContent, r.children[5].textContent, r.children[6].textContent]))).toEqual([
        ['1', 'failed', '1'],
        ['2', 'succeeded', '0'],
      ]);
      await expectText('#output', /recovered/);
      const lastNode = expected.get(`${flakyId}#2`)!;
      const otherNode = lastNode === 'alpha' ? 'beta' : 'alpha';
      await expectText('#decision .headline', new RegExp(`^Placed on ${lastNode} by least-loaded v1 · queue default ordered by [\\w-]+ · attempt 2$`));
      await expectText('#decision', /Why now:.*ordering picked it from \d+ ready in queue default/);
      // The ordering record of the same start (the default priority policy is a ranked one): its queue position.
      await expectText('#decision', /Queue: priority: position \d+ of \d+ queued in default\./);
      expect(await page.$$eval('#decision table.components tbody td:first-child', (tds) => tds.map((t) => t.textContent))).toEqual(expect.arrayContaining(['dominant_allocated_share', 'free_cpu_after_share', 'free_mem_after_share']));
      await expectText('#decision', new RegExp(`Runner-up: ${otherNode} \\(score `));
      await expectText('#decision', /Confidence: (\d+ %|not estimated)/);
      expect(await page.textContent('#decision')).not.toContain('score does not add up');
      expect(await page.locator('#task-gantt rect.gantt-bar').count()).toBe(2);
      // The task page subscribed to the task's lifecycle events and received them.
      await waitFor(async () => socketFrames.some((f) => f.includes('"taskEvents"')), 'a pushed taskEvents event of the flaky task');
      // No model is deployed yet: its estimate is the moving average, which has no feature attribution.
      await expectText('#explanation', /^No feature attribution: this estimate is not a model prediction/);

      // The timeline has the same attempts among the recent tasks'.
      await page.goto(`${base}/#/timeline`);
      await waitFor(async () => (await page.locator(`#gantt rect.gantt-bar[data-task-id="${flakyId}"]`).count()) === 2, 'the flaky task on the timeline');

      // The task list filters by status and searches by name (the filter lives in the URL).
      const names = () => page.$$eval('#task-list tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent).join(','));
      await page.goto(`${base}/#/tasks?status=failed`);
      await waitFor(async () => (await names()) === 'e2e-etl/broken', 'the failed-status filter');
      await page.selectOption('#filter-status', '');
      await page.fill('#filter-q', 'FLAKY');
      await page.click('#task-filters button[type=submit]');
      await waitFor(async () => (await names()) === 'e2e-etl/flaky', 'the name search');
      expect(new URL(page.url()).hash).toBe('#/tasks?q=FLAKY');

      // Cluster charts, anomalies, models (a refused training shows the server's message), queues (a
      // policy change is saved).
      await page.goto(`${base}/#/cluster`);
      await expectText('#executor-summary', /decision latency p50/);
      await waitFor(async () => Number(await page.getAttribute('#chart-running', 'data-series')) === 2, 'a running-tasks series per node');
      await waitFor(async () => socketFrames.filter((f) => f.includes('"nodeUpdates"')).length >= 2, 'the nodes pushed (nodeUpdates: every node first)');
      await page.goto(`${base}/#/anomalies`);
      await page.locator('#anomaly-nodes .card').first().waitFor({ timeout: 10_000 });
      await page.goto(`${base}/#/models`);
      await page.click('#train-duration');
      await expectText('#train-error', /succeeded tasks/, 15_000);
      await page.goto(`${base}/#/queues`);
      await page.selectOption('#queues tr[data-queue="default"] select[name="policy"]', 'fifo');
      await page.click('#queues tr[data-queue="default"] button[type=submit]');
      await expectText('#queues tr[data-queue="default"] .ok', /saved/);
      const queues = await api<{ queues: Array<{ queue: string; policy: string | null }> }>('/api/queues');
      expect(queues.queues.find((q) => q.queue === 'default')?.policy).toBe('fifo');

      // Signing in (beforeAll) met only 401s; the key was sent in the POST body only (never in a URL or
      // storage) and lives in an HttpOnly, SameSite=Strict cookie the page cannot read.
      expect(signInErrors.length).toBeGreaterThan(0);
      expect(signInErrors.every((e) => / 401$/.test(e))).toBe(true);
      expect(signInErrors).toContain('POST /api/session 401');
      expect(page.url()).not.toContain(TEST_ADMIN_KEY);
      expect(await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]))).toBe('[{},{},""]');
      const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'kairos_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      // Signing out clears the cookie: the next API call is refused and the login view is back.
      const beforeSignOut = httpErrors.length;
      await page.click('header button.link:text-is("sign out")');
      await page.locator('#login').waitFor({ timeout: 5_000 });
      expect((await page.context().cookies()).filter((c) => c.name === 'kairos_session')).toEqual([]);
      await page.goto(`${base}/#/tasks`);
      await page.locator('#login').waitFor({ timeout: 10_000 });
      expect(httpErrors.slice(beforeSignOut).every((e) => / 401$/.test(e))).toBe(true);
      httpErrors.splice(beforeSignOut);

      expect(pageErrors).toEqual([]);
      // The duration estimate of a task may not exist (404 = "no estimate recorded", shown as such).
      const unexpected = httpErrors.filter((e) => !/^GET \/api\/predictions\/[0-9a-f-]+ 404$/.test(e));
      expect(unexpected).toEqual(['POST /api/tasks 400', expect.stringMatching(/^POST \/api\/models\/duration\/train 4\d\d$/)]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
    expect(Date.now() - startedAt).toBeLessThan(80_000);
  }, 90_000);

  // After enough history for a model: train and deploy one, then a new task's page explains its estimate
  // (the features that moved its p50 from the training baseline, as the analyzer's TreeSHAP gives them).
  it('explains a model estimate in the task detail: feature contributions and the version importance', async () => {
    let errorsBefore = httpErrors.length;
    try {
      await page.goto(`${base}/`);
      await page.locator('#login').waitFor({ timeout: 10_000 });
      await page.fill('#api-key', TEST_ADMIN_KEY);
      await page.click('#login button[type=submit]');
      await page.locator('#login').waitFor({ state: 'detached', timeout: 10_000 });
      // Signing in again met the expected 401s (checked in the first test); count from here.
      errorsBefore = httpErrors.length;
      // 42 tasks of three kinds (≈50, 300, 700 ms) on top of the first test's: history to train on.
      const kinds = [
        { name: 'xai-small', sleepMs: 50, cpuMillis: 100 },
        { name: 'xai-medium', sleepMs: 300, cpuMillis: 200 },
        { name: 'xai-large', sleepMs: 700, cpuMillis: 300 },
      ];
      const ids: string[] = [];
      for (let i = 0; i < 42; i++) {
        const k = kinds[i % 3];
        ids.push((await api<{ id: string }>('/api/tasks', { method: 'POST', body: { name: k.name, run: { kind: 'noop', sleepMs: k.sleepMs }, resources: { cpuMillis: k.cpuMillis, memMb: 32 } } })).id);
      }
      const done = async () => (await Promise.all(ids.map((id) => api<{ status: string }>(`/api/tasks/${id}`)))).every((t) => t.status === 'succeeded');
      await waitFor(done, '42 history tasks to succeed', 30_000);
      const version = await api<{ version: number }>('/api/models/duration/train', { method: 'POST', body: { trees: 30 } });
      await api(`/api/models/duration/versions/${version.version}/deploy`, { method: 'POST', body: { force: { reason: 'e2e: explain a model estimate' } } });
      const importance = await api<{ importance: { features: Array<{ feature: string }> } | null }>(`/api/models/duration/versions/${version.version}/importance`);
      expect(importance.importance?.features.length).toBeGreaterThan(10);

      const task = await api<{ id: string }>('/api/tasks', { method: 'POST', body: { name: 'xai-large', run: { kind: 'noop', sleepMs: 700 }, resources: { cpuMillis: 300, memMb: 32 } } });
      let prediction: { model: string; modelVersion: string } | undefined;
      await waitFor(async () => {
        prediction = await api<{ model: string; modelVersion: string }>(`/api/predictions/${task.id}`).catch(() => undefined);
        return prediction !== undefined;
      }, 'the estimate of the new task');
      expect(prediction).toMatchObject({ model: 'duration', modelVersion: String(version.version) });
      const served = await api<{ p50: { status: string; top: Array<{ feature: string }> } }>(`/api/predictions/${task.id}/explanation`);
      expect(served.p50.status).toBe('explained');

      await page.goto(`${base}/#/tasks/${task.id}`);
      await expectText('#explanation .headline', new RegExp(`^duration v${version.version}: from the training baseline of [\\d.,]+ s, this task's features make the p50 [\\d.,]+ s$`), 15_000);
      const rows = await page.$$eval('#explanation table.contributions tbody tr', (rs) => rs.map((r) => r.getAttribute('data-feature')));
      expect(rows).toEqual(served.p50.top.map((c) => c.feature));
      expect(rows.length).toBeGreaterThan(0);
      await expectText('#explanation table.contributions tbody tr td:nth-child(4)', /^×\d/);
      await expectText('#explanation .global', /^Most important for this version: /);
      expect(await page.textContent('#explanation')).not.toContain('do not add up');
      await page.screenshot({ path: join(SHOTS, 'dashboard-explanation.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
      expect(httpErrors.slice(errorsBefore).filter((e) => !/^GET \/api\/predictions\/[0-9a-f-]+ 404$/.test(e))).toEqual([]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
  }, 75_000);

  async function expectText(selector: string, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    await waitFor(async () => pattern.test(((await page.locator(selector).first().textContent({ timeout: 1_000 }).catch(() => null)) ?? '').trim()), `${selector} to match ${pattern}`, timeoutMs);
  }

  async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) {
        const last = await page.locator('main').innerText().catch(() => '(page unreadable)');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; page shows:\n${last}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startService, type ServiceProcess } from '@kairos/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = resolve(__dirname, '..', 'tmp', 'dashboard.png');

// The web dashboard in a real headless Chromium against standalone mode (PGlite, in-process bus):
// what a person sees after submitting a command through the form. Bounded to 90 s in all.
describe('web dashboard', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  // Every HTTP error the page met; the one expected is the 400 for the empty command.
  const httpErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-dashboard-'));
    service = await startService('standalone', { DATA_DIR: dataDir });
    await service.waitHealthy(60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Chromium also logs each HTTP error to the console; those are checked through httpErrors.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) httpErrors.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.goto(`http://127.0.0.1:${service.port}/`);
  }, 75_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await service?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 15_000);

  const dump = () => `page errors: ${JSON.stringify(pageErrors)}; HTTP errors: ${JSON.stringify(httpErrors)}\n--- standalone\n${service?.output().slice(-3000)}`;
  const count = async (status: string) => Number(await page.locator(`#counts [data-status="${status}"] b`).textContent());

  it('shows health, runs a submitted command to succeeded, rejects an empty one, and draws counts, chart and nodes', async () => {
    const startedAt = Date.now();
    try {
      await expectText('#health', /^ok · db pglite · bus in-process/);

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

      // An empty command: the API's validation error, naming the field, appears under the form.
      await page.fill('#cmd', '   ');
      await page.click('#submit button[type=submit]');
      await expectText('#error', /run\.command/);
      await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-error.png') });
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

      // The standalone executor's node is listed as ready.
      await waitFor(async () => (await page.locator('#nodes tbody tr', { hasText: 'ready' }).count()) > 0, 'a ready node');

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(pageErrors).toEqual([]);
      expect(httpErrors).toEqual(['POST /api/tasks 400']);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
    expect(Date.now() - startedAt).toBeLessThan(60_000);
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

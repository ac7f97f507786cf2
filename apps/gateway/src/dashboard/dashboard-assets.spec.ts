import { join } from 'node:path';
import { assetHeaders, DASHBOARD_BUILD_DIR, findDashboardDir, PAGE_CSP, PAGE_HEADERS } from './dashboard-assets';

describe('dashboard asset rules', () => {
  it('serves Vite-hashed names with their type, cached for a year as immutable', () => {
    expect(assetHeaders('index-sOvev3Vw.js')).toEqual({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    expect(assetHeaders('index-G_AYFqif.css')?.['content-type']).toBe('text/css; charset=utf-8');
    expect(assetHeaders('favicon-Bc_JqMUq.svg')?.['content-type']).toBe('image/svg+xml');
  });

  it.each(['index.js', '..%2Fpackage.json', '../index-sOvev3Vw.js', 'index-sOvev3Vw.exe', '.env-abcdefgh.js', 'a/b-abcdefgh.js', 'index-short.js'])('refuses %s', (name) => {
    expect(assetHeaders(name)).toBeNull();
  });

  it('serves the page uncached-but-revalidated under a CSP with no inline script or eval', () => {
    expect(PAGE_HEADERS['cache-control']).toBe('no-cache');
    expect(PAGE_CSP.split('; ')[0]).toBe("default-src 'self'");
    expect(PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('finds dist/apps/dashboard above the source or the built controller', () => {
    const root = '/repo';
    const built = join(root, DASHBOARD_BUILD_DIR);
    const exists = (p: string) => p === join(built, 'index.html');
    expect(findDashboardDir('/repo/apps/gateway/src/dashboard', exists)).toBe(built);
    expect(findDashboardDir('/repo/dist/apps/gateway/src/dashboard', exists)).toBe(built);
    expect(findDashboardDir('/elsewhere/x', exists)).toBeNull();
  });
});

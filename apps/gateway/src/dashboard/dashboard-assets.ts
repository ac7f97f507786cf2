// How the gateway serves the dashboard's built files (dist/apps/dashboard: index.html plus
// content-hashed assets/, built by Vite from apps/dashboard). Pure rules here; the controller does the I/O.
import { dirname, join } from 'node:path';

/** Where the Vite build writes, relative to the repository (or image) root. */
export const DASHBOARD_BUILD_DIR = join('dist', 'apps', 'dashboard');

/**
 * The build directory, found by walking up from `fromDir` (this file's directory: apps/gateway/src/
 * dashboard when run from source, dist/apps/gateway/src/dashboard when built) to the root that holds
 * dist/apps/dashboard/index.html. Null when the dashboard has not been built.
 */
export function findDashboardDir(fromDir: string, exists: (path: string) => boolean): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, DASHBOARD_BUILD_DIR);
    if (exists(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The page's policy: scripts, styles, images and fetches from this origin only (no inline script or
 * style, no eval), and never framed. The security work may set a CSP for every response; this one is
 * at least as strict as its `default-src 'self'`.
 */
export const PAGE_CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  // Revalidate every time: a new build changes the asset names the page points at.
  'cache-control': 'no-cache',
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

/** Vite's output names: name-<8+ char hash>.ext, letters, digits, _ and - only (so no path tricks). */
const ASSET_NAME = /^[A-Za-z0-9_-]+-[A-Za-z0-9_-]{8,}\.([a-z0-9]+)$/;

/** Headers for an asset, or null when the name is not one the build produces (→ 404). */
export function assetHeaders(fileName: string): Record<string, string> | null {
  const m = ASSET_NAME.exec(fileName);
  if (!m) return null;
  const type = CONTENT_TYPES[m[1]];
  if (!type) return null;
  return {
    'content-type': type,
    // The hash in the name changes with the content: cache for a year, never revalidate.
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  };
}

export const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kairos</title></head>
<body><h1>Kairos</h1><p>The dashboard has not been built. Run <code>npm run build</code> (or <code>npm run build:dashboard</code>) and reload.
The API is up: <a href="/docs">/docs</a>, <a href="/health">/health</a>.</p></body></html>
`;

import type { Eta } from './eta.estimate';
import type { RunSnapshot } from './run-snapshot';

/** 850 → "<1s", 4_200 → "4s", 65_000 → "1m05s", 7_380_000 → "2h03m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return '<1s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function counts(s: RunSnapshot): string {
  const parts = [`${s.done}/${s.total} done`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} not run`);
  parts.push(`${s.running} running`);
  if (s.queued) parts.push(`${s.queued} queued`);
  if (s.waiting) parts.push(`${s.waiting} waiting`);
  return parts.join(', ');
}

function etaText(eta: Eta | null, s: RunSnapshot): string | null {
  if (s.terminal) return null;
  if (!eta) return 'ETA unknown';
  return `ETA ${formatDuration(eta.ms)}${eta.source === 'predicted' ? ' (predicted)' : ''}`;
}

function label(s: RunSnapshot): string {
  return `${s.kind} ${s.name ?? s.id.slice(0, 8)}`;
}

/**
 * The live line on a terminal:
 * `workflow nightly [####x-----] 4/10 done, 1 failed, 2 running | ETA 12s (predicted) | 5s`
 * (`#` succeeded, `x` failed or not run, `-` to go). The bar takes the room left in `width`
 * columns (10 to 30); without room for it, the line goes without a bar, cut at the edge.
 */
export function renderProgressBar(s: RunSnapshot, eta: Eta | null, elapsedMs: number, width: number): string {
  // A terminal that reports no size (0 columns) still gets a line.
  const cols = width >= 20 ? width : 80;
  const tail = [counts(s), etaText(eta, s), formatDuration(elapsedMs)].filter((x) => x !== null).join(' | ');
  const head = label(s);
  const room = cols - 1 - head.length - tail.length - 4;
  if (room < 10) {
    const line = `${head} ${tail}`;
    return line.length <= cols - 1 ? line : `${line.slice(0, cols - 2)}…`;
  }
  const barWidth = Math.min(30, room);
  const total = Math.max(1, s.total);
  const bad = s.failed + s.skipped;
  const ok = Math.round((s.done / total) * barWidth);
  const x = Math.min(barWidth - ok, bad > 0 ? Math.max(1, Math.round((bad / total) * barWidth)) : 0);
  return `${head} [${'#'.repeat(ok)}${'x'.repeat(x)}${'-'.repeat(barWidth - ok - x)}] ${tail}`;
}

/** The plain periodic line for logs and CI: `workflow nightly: 4/10 done, 1 failed, 2 running, ETA 12s, elapsed 5s`. */
export function renderProgressLine(s: RunSnapshot, eta: Eta | null, elapsedMs: number): string {
  const parts = [counts(s), etaText(eta, s), `elapsed ${formatDuration(elapsedMs)}`].filter((x) => x !== null);
  return `${label(s)}: ${s.terminal ? `${s.status}, ` : ''}${parts.join(', ')}`;
}

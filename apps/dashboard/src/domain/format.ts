// Display formatting. Pure; times are shown in the browser's local zone.
import type { RunSpec } from '@kairos/contracts';

/** 312 ms · 1.4 s · 2 m 05 s · 1 h 02 m; '–' for null/undefined/NaN. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  if (a < 60_000) return `${sign}${Math.round(a / 1000)} s`;
  const totalS = Math.round(a / 1000);
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)} m ${String(totalS % 60).padStart(2, '0')} s`;
  const totalM = Math.round(a / 60_000);
  return `${sign}${Math.floor(totalM / 60)} h ${String(totalM % 60).padStart(2, '0')} m`;
}

/** A latency with 3 significant digits below 10 ms (0.246 ms), else as formatDuration. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 10) return `${Number(ms.toPrecision(3))} ms`;
  return formatDuration(ms);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** HH:MM:SS (local); with `ms`, HH:MM:SS.mmm. */
export function formatClock(iso: string | number | null | undefined, ms = false): string {
  if (iso === null || iso === undefined) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return ms ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** YYYY-MM-DD HH:MM:SS (local). */
export function formatDateTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(d.getTime())}`;
}

/** A fraction 0..1 as a percentage: 0.784 → "78.4 %". */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** A plain number with at most `digits` decimals, trailing zeros dropped. */
export function formatNumber(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return String(Number(n.toFixed(digits)));
}

export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb)) return '–';
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}

export const shortId = (id: string): string => id.slice(0, 8);

/** What a task does, in one line: its name, else its command / HTTP call / no-op. */
export function describeRun(run: RunSpec): string {
  switch (run.kind) {
    case 'shell':
      return run.command.join(' ');
    case 'http':
      return `${run.method ?? 'GET'} ${run.url}`;
    case 'noop':
      return run.failWith ? `noop, exits ${run.failWith}` : `noop ${run.sleepMs ?? 0} ms`;
  }
}

export function describeTask(t: { name: string | null; run: RunSpec }): string {
  return t.name ?? describeRun(t.run);
}

/** Milliseconds between two ISO times (`end` null → `nowMs`); null when `start` is null. */
export function elapsedMs(start: string | null, end: string | null, nowMs: number): number | null {
  if (!start) return null;
  return (end ? Date.parse(end) : nowMs) - Date.parse(start);
}

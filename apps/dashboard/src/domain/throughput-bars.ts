// Completions per minute (from /api/stats' throughput) as stacked SVG bars: succeeded below, the
// rest (failed, timed out, cancelled …) above.
import type { Stats } from '../api/api-types';

export interface ThroughputBar {
  minute: string;
  ok: number;
  bad: number;
  x: number;
  width: number;
  okY: number;
  okHeight: number;
  badY: number;
  badHeight: number;
}

export function throughputBars(points: Stats['throughput'], width: number, height: number, axis = 20): { bars: ThroughputBar[]; max: number } {
  const byMinute = new Map<string, { ok: number; bad: number }>();
  for (const p of points) {
    const m = byMinute.get(p.minute) ?? { ok: 0, bad: 0 };
    if (p.status === 'succeeded') m.ok += p.count;
    else m.bad += p.count;
    byMinute.set(p.minute, m);
  }
  const rows = [...byMinute.entries()].sort(([a], [b]) => a.localeCompare(b));
  const max = Math.max(1, ...rows.map(([, m]) => m.ok + m.bad));
  const plotH = height - axis - 10;
  const left = 32;
  const bw = Math.max(4, Math.min(30, (width - left - 8) / Math.max(1, rows.length) - 2));
  const base = height - axis;
  const bars = rows.map(([minute, m], i): ThroughputBar => {
    const okHeight = (m.ok / max) * plotH;
    const badHeight = (m.bad / max) * plotH;
    return { minute, ok: m.ok, bad: m.bad, x: left + i * (bw + 2), width: bw, okY: base - okHeight, okHeight, badY: base - okHeight - badHeight, badHeight };
  });
  return { bars, max };
}

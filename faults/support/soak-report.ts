/** One sample of the soak run. */
export interface SoakSample {
  /** Since the steady load began, ms. */
  tMs: number;
  /** Resident set size per service, MB. */
  rssMb: Record<string, number>;
  /** Submit latency over the samples' window, ms (NaN when nothing was submitted in it). */
  p50Ms: number;
  p99Ms: number;
  /** Accepted submissions so far and tasks succeeded so far. */
  accepted: number;
  succeeded: number;
}

/** Least-squares slope of (x, y), or NaN with fewer than two distinct x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return NaN;
  return points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
}

/** RSS growth per service in MB per minute over the samples from `fromMin` on. */
export function rssGrowthMbPerMin(samples: readonly SoakSample[], fromMin: number): Record<string, number> {
  const later = samples.filter((s) => s.tMs >= fromMin * 60_000);
  const services = Object.keys(samples[0]?.rssMb ?? {});
  return Object.fromEntries(services.map((svc) => [svc, slope(later.map((s) => ({ x: s.tMs / 60_000, y: s.rssMb[svc] })))]));
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels over time: RSS per service (MB) and submit latency p50/p99 (ms). Plain SVG, no dependencies. */
export function soakChartSvg(samples: readonly SoakSample[], title: string): string {
  const W = 900;
  const PH = 220;
  const L = 60;
  const R = 150;
  const tMax = Math.max(60_000, ...samples.map((s) => s.tMs));
  const x = (t: number) => L + ((W - L - R) * t) / tMax;
  const panel = (top: number, label: string, series: Array<{ name: string; ys: number[] }>) => {
    const all = series.flatMap((s) => s.ys).filter(Number.isFinite);
    const yMax = Math.max(1, ...all) * 1.1;
    const y = (v: number) => top + PH - (PH * v) / yMax;
    let out = `<rect x="${L}" y="${top}" width="${W - L - R}" height="${PH}" fill="none" stroke="#999"/>`;
    out += `<text x="${L}" y="${top - 6}" font-size="12">${esc(label)}</text>`;
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      out += `<text x="${L - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`;
    }
    series.forEach((s, i) => {
      const pts = samples.map((smp, j) => [x(smp.tMs), s.ys[j]] as const).filter(([, v]) => Number.isFinite(v));
      const color = COLORS[i % COLORS.length];
      out += `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([px, v]) => `${px.toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
      out += `<text x="${W - R + 8}" y="${top + 14 + 14 * i}" font-size="11" fill="${color}">${esc(s.name)}</text>`;
    });
    return out;
  };
  const services = Object.keys(samples[0]?.rssMb ?? {});
  let body = `<text x="${L}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`;
  body += panel(40, 'RSS per service (MB)', services.map((svc) => ({ name: svc, ys: samples.map((s) => s.rssMb[svc]) })));
  body += panel(300, 'submit latency (ms)', [
    { name: 'p50', ys: samples.map((s) => s.p50Ms) },
    { name: 'p99', ys: samples.map((s) => s.p99Ms) },
  ]);
  for (let m = 0; m * 60_000 <= tMax; m++) body += `<text x="${x(m * 60_000)}" y="${300 + PH + 16}" font-size="10" text-anchor="middle">${m}</text>`;
  body += `<text x="${(W - R + L) / 2}" y="${300 + PH + 32}" font-size="11" text-anchor="middle">minutes of steady load</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${300 + PH + 44}" font-family="sans-serif">\n${body}\n</svg>\n`;
}

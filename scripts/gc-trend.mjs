// Heap after each full GC (Mark-Compact) from a service log written with V8's --trace-gc, and its
// least-squares slope (MB/min) over the last `minutes` of the log: a steady heap gives ≈ 0, a leak a
// positive slope. --trace-gc is not allowed in NODE_OPTIONS; preload a file that turns it on:
//   echo "require('v8').setFlagsFromString('--trace-gc');" > /tmp/heap-trace.cjs
//   KAIROS_SERVICE_NODE_OPTIONS="--require /tmp/heap-trace.cjs" KAIROS_E2E_LOG_DIR=/tmp/logs KAIROS_SOAK_MIN=4 npx jest faults/soak.fault-spec.ts ...
//   node scripts/gc-trend.mjs /tmp/logs/executor.log [minutes=2]
import { readFileSync } from 'node:fs';

const [file, minutesArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/gc-trend.mjs <service.log> [minutes]\n');
  process.exit(2);
}
const points = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const m = /\s(\d+) ms: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
  if (m) points.push({ tMin: Number(m[1]) / 60_000, mb: Number(m[2]) });
}
if (points.length < 2) {
  process.stdout.write(`${file}: ${points.length} full GCs, no trend\n`);
  process.exit(0);
}
const end = points[points.length - 1].tMin;
const from = end - Number(minutesArg ?? 2);
const win = points.filter((p) => p.tMin >= from);
const n = win.length;
const mx = win.reduce((a, p) => a + p.tMin, 0) / n;
const my = win.reduce((a, p) => a + p.mb, 0) / n;
const slope = n > 1 ? win.reduce((a, p) => a + (p.tMin - mx) * (p.mb - my), 0) / win.reduce((a, p) => a + (p.tMin - mx) ** 2, 0) : NaN;
process.stdout.write(`${file}: ${points.length} full GCs; heap after GC ${win.map((p) => `${p.tMin.toFixed(1)}m:${p.mb}`).join(' ')}\n`);
process.stdout.write(`  last ${(end - from).toFixed(1)} min (${n} full GCs): ${slope.toFixed(2)} MB/min, min ${Math.min(...win.map((p) => p.mb))} MB, max ${Math.max(...win.map((p) => p.mb))} MB\n`);

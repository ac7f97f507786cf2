// Compares two V8 heap snapshots (e.g. written by `--heapsnapshot-signal`) by constructor: count and
// self size of the objects of each, the later minus the earlier, largest growth first. Reads the
// whole snapshot into memory (a 100 MB heap gives a ~150 MB file; give node --max-old-space-size).
//   node scripts/heap-diff.mjs before.heapsnapshot after.heapsnapshot [top=25]
import { readFileSync } from 'node:fs';

function byConstructor(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const f = meta.node_fields;
  const types = meta.node_types[0];
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const stride = f.length;
  const out = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + iType]];
    const name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    const size = snap.nodes[i + iSize];
    total += size;
    const e = out.get(name) ?? { count: 0, size: 0 };
    e.count++;
    e.size += size;
    out.set(name, e);
  }
  return { out, total };
}

const [a, b, topArg] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: node scripts/heap-diff.mjs before.heapsnapshot after.heapsnapshot [top]\n');
  process.exit(2);
}
const before = byConstructor(a);
const after = byConstructor(b);
const names = new Set([...before.out.keys(), ...after.out.keys()]);
const rows = [...names].map((n) => {
  const x = before.out.get(n) ?? { count: 0, size: 0 };
  const y = after.out.get(n) ?? { count: 0, size: 0 };
  return { name: n, count: y.count, dCount: y.count - x.count, size: y.size, dSize: y.size - x.size };
});
rows.sort((p, q) => q.dSize - p.dSize);
const mb = (v) => (v / 1_048_576).toFixed(2);
process.stdout.write(`total self size ${mb(before.total)} MB -> ${mb(after.total)} MB (${mb(after.total - before.total)} MB)\n`);
process.stdout.write(`${'constructor'.padEnd(40)} ${'count'.padStart(10)} ${'Δcount'.padStart(9)} ${'MB'.padStart(8)} ${'ΔMB'.padStart(8)}\n`);
for (const r of rows.slice(0, Number(topArg ?? 25))) {
  process.stdout.write(`${r.name.slice(0, 40).padEnd(40)} ${String(r.count).padStart(10)} ${String(r.dCount).padStart(9)} ${mb(r.size).padStart(8)} ${mb(r.dSize).padStart(8)}\n`);
}

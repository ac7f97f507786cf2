import * as fs from 'node:fs';
import { buildDurationDataset, parseAlibabaBatchTasks, trainGbdt, predictionMetrics, DURATION_FEATURE_NAMES, DURATION_FEATURE_GROUPS } from '@kairos/ml';
const trace = '../shared/datasets/alibaba-2017/batch_task.csv';
const ds = buildDurationDataset(parseAlibabaBatchTasks(fs.readFileSync(trace, 'utf8'), trace), { trainFraction: 0.7 });
const trainIdx: number[] = [], testIdx: number[] = [];
for (let i = 0; i < ds.rows; i++) (ds.isTrain[i] ? trainIdx : testIdx).push(i);
const tt = trainIdx.map((i) => ds.createTimes[i]).sort((a, b) => a - b);
const valFrom = tt[Math.floor(tt.length * 0.85)];
const fit = trainIdx.filter((i) => ds.createTimes[i] < valFrom), val = trainIdx.filter((i) => ds.createTimes[i] >= valFrom);
const pick = (a: ArrayLike<number>, idx: number[]) => Float64Array.from(idx, (i) => a[i]);
const mat = (idx: number[], cs: number[]) => { const v = new Float64Array(idx.length * cs.length); idx.forEach((r, k) => cs.forEach((c, j) => (v[k * cs.length + j] = ds.features[r * ds.cols + c]))); return { values: v, rows: idx.length, cols: cs.length }; };
const all = DURATION_FEATURE_NAMES.map((_, i) => i);
const without = (g: keyof typeof DURATION_FEATURE_GROUPS) => all.filter((i) => !(DURATION_FEATURE_GROUPS[g] as readonly string[]).includes(DURATION_FEATURE_NAMES[i]));
const variants: Array<[string, number[], Record<string, number>]> = [
  ['base', all, {}],
  ['-time', without('time'), {}],
  ['-queue', without('queue'), {}],
  ['d8 leaf50', all, { maxDepth: 8, minLeaf: 50 }],
  ['lr.05 x300', all, { learningRate: 0.05, nTrees: 300 }],
  ['d4 leaf20 300', all, { maxDepth: 4, nTrees: 300 }],
];
const which = process.argv[2] ? variants.filter((v) => v[0] === process.argv[2]) : variants;
for (const [name, cs, extra] of which) {
  const r = [];
  for (const [tr, ev] of [[fit, val], [trainIdx, testIdx]]) {
    const m = trainGbdt(mat(tr, cs), pick(ds.durations, tr).map(Math.log1p), { nTrees: 150, loss: 'huber', alpha: 0.5, huberQuantile: 0.9, seed: 1, ...extra });
    r.push(predictionMetrics(pick(ds.durations, ev), m.predict(mat(ev, cs)).map(Math.expm1)).mae.toFixed(1));
  }
  console.log(name.padEnd(16), 'val', r[0], 'test', r[1]);
}

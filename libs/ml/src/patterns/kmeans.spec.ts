import { seededRandom } from '../common/random';
import { PatternError, kMeans, selectKBySilhouette, silhouette, toPoints } from './kmeans';
import { analyseTaskPatterns, assignTaskPattern } from './task-patterns';

function blobs(centres: number[][], perBlob: number, spread: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  return centres.flatMap((c) => Array.from({ length: perBlob }, () => c.map((v) => v + (rand() - 0.5) * spread)));
}

describe('kMeans', () => {
  it('separates three obvious blobs', () => {
    const pts = toPoints(blobs([[0, 0], [10, 10], [0, 10]], 30, 1, 1));
    const res = kMeans(pts, 3, seededRandom(2));
    for (let b = 0; b < 3; b++) {
      const labels = new Set(Array.from(res.labels.subarray(b * 30, (b + 1) * 30)));
      expect(labels.size).toBe(1);
    }
    expect(new Set(Array.from(res.labels)).size).toBe(3);
  });

  it('is deterministic for a seed', () => {
    const pts = toPoints(blobs([[0], [5]], 20, 2, 3));
    expect(kMeans(pts, 2, seededRandom(9)).labels).toEqual(kMeans(pts, 2, seededRandom(9)).labels);
  });

  it('computes the silhouette of a hand-checked case', () => {
    // Points 0, 1 | 10, 11: a = 1, b = 10 (for 0: mean of 10, 11 = 10.5)
    const pts = toPoints([[0], [1], [10], [11]]);
    const labels = Int32Array.from([0, 0, 1, 1]);
    // s(0) = (10.5-1)/10.5, s(1) = (9.5-1)/9.5, symmetric for the other cluster.
    const expected = ((10.5 - 1) / 10.5 + (9.5 - 1) / 9.5) / 2;
    expect(silhouette(pts, labels, 2, seededRandom(1))).toBeCloseTo(expected, 10);
  });

  it.each([
    [2, [[0, 0], [10, 10]]],
    [3, [[0, 0], [10, 10], [0, 10]]],
    [4, [[0, 0], [10, 10], [0, 10], [10, 0]]],
  ])('silhouette picks k=%p for that many blobs', (k, centres) => {
    const pts = toPoints(blobs(centres, 25, 1.5, 4));
    expect(selectKBySilhouette(pts, 2, 6, seededRandom(5)).best.k).toBe(k);
  });

  it('sampled silhouette still picks the right k on a big input', () => {
    const pts = toPoints(blobs([[0, 0], [10, 10], [0, 10]], 1500, 1.5, 6));
    const sel = selectKBySilhouette(pts, 2, 5, seededRandom(7), { maxSilhouetteSample: 300 });
    expect(sel.best.k).toBe(3);
  });

  it.each([
    ['k larger than the data', () => kMeans(toPoints([[1]]), 2, seededRandom(1))],
    ['a non-finite point', () => toPoints([[1], [NaN]])],
    ['a bad k range', () => selectKBySilhouette(toPoints([[1], [2], [3]]), 3, 2, seededRandom(1))],
  ])('rejects %s', (_n, fn) => {
    expect(fn).toThrow(PatternError);
  });
});

describe('analyseTaskPatterns', () => {
  it('finds short light tasks and long wide tasks and describes them', () => {
    const rand = seededRandom(8);
    const tasks = [
      ...Array.from({ length: 60 }, () => ({ durationSeconds: 10 + rand() * 4, cpuCores: 0.5, memFraction: 0.003, instances: 1 })),
      ...Array.from({ length: 40 }, () => ({ durationSeconds: 3000 + rand() * 600, cpuCores: 2, memFraction: 0.02, instances: 400 + Math.floor(rand() * 50) })),
    ];
    const model = analyseTaskPatterns(tasks, seededRandom(1), { kMax: 4 });
    expect(model.k).toBe(2);
    const byShare = [...model.patterns].sort((a, b) => b.share - a.share);
    expect(byShare[0].share).toBeCloseTo(0.6);
    expect(byShare[0].description).toMatch(/^short CPU-light, memory-light narrow tasks: median 12 s, 0.5 core, 0.3 % mem, 1 instance, 60 % of tasks$/);
    // 2 % of a node's memory is more than the other cluster's, but not "memory-heavy".
    expect(byShare[1].description).toMatch(/^long CPU-heavy wide tasks: median 5\d\.\d min, 2 core, 2 % mem/);
    expect(assignTaskPattern(model, tasks[0])).toBe(byShare[0].cluster);
  });

  it('never words a cluster against its own figures: sub-second tasks, heavy memory only from 10 %', () => {
    const rand = seededRandom(9);
    const tasks = [
      ...Array.from({ length: 50 }, () => ({ durationSeconds: 0.2 + rand() * 0.1, cpuCores: 0.1, memFraction: 0.001, instances: 1 })),
      ...Array.from({ length: 50 }, () => ({ durationSeconds: 4 + rand(), cpuCores: 0.1, memFraction: 0.3, instances: 1 })),
    ];
    const byDuration = [...analyseTaskPatterns(tasks, seededRandom(2), { kMax: 3 }).patterns].sort((a, b) => a.medianDurationSeconds - b.medianDurationSeconds);
    expect(byDuration[0].description).toMatch(/^sub-second .*median 2\d\d ms,/);
    expect(byDuration[1].description).toMatch(/^short typical-CPU, memory-heavy tasks: median 4\.\d s, 0.1 core, 30 % mem/);
  });
});

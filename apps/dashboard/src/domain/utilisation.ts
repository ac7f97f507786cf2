// Cluster utilisation series for uPlot (aligned columns: x in Unix seconds, one y column per node,
// null where a node has no point). Two sources: the executor's live status (reserved CPU/memory and
// running tasks, sampled by the page every few seconds into a bounded buffer) and the collector's
// per-node minute roll-ups of measured CPU % and memory MB.
import type { ExecutorStatus, NodeRollup } from '../api/api-types';

export interface NodeSample {
  id: string;
  running: number;
  /** Reserved CPU / capacity, 0..1. */
  cpuFrac: number;
  /** Reserved memory / capacity, 0..1. */
  memFrac: number;
}

export interface ExecutorSample {
  atMs: number;
  nodes: NodeSample[];
}

export type AlignedSeries = { nodes: string[]; data: [number[], ...Array<Array<number | null>>] };

/** The buffer with `status` appended at `atMs`, samples older than `maxAgeMs` dropped (new array). */
export function appendSample(buf: readonly ExecutorSample[], status: ExecutorStatus, atMs: number, maxAgeMs: number): ExecutorSample[] {
  const sample: ExecutorSample = {
    atMs,
    nodes: status.nodes.map((n) => ({
      id: n.id,
      running: n.running,
      cpuFrac: n.cpuMillis > 0 ? n.usedCpu / n.cpuMillis : 0,
      memFrac: n.memMb > 0 ? n.usedMem / n.memMb : 0,
    })),
  };
  const last = buf[buf.length - 1];
  const kept = buf.filter((s) => s.atMs >= atMs - maxAgeMs);
  // The same status twice within a second (e.g. two renders) is one sample.
  if (last && atMs - last.atMs < 1000) kept.pop();
  return [...kept, sample];
}

export function seriesFromSamples(buf: readonly ExecutorSample[], metric: 'running' | 'cpuFrac' | 'memFrac'): AlignedSeries {
  const nodes = [...new Set(buf.flatMap((s) => s.nodes.map((n) => n.id)))].sort();
  const xs = buf.map((s) => s.atMs / 1000);
  const ys = nodes.map((id) => buf.map((s) => s.nodes.find((n) => n.id === id)?.[metric] ?? null));
  return { nodes, data: [xs, ...ys] };
}

export function seriesFromRollups(byNode: Readonly<Record<string, readonly NodeRollup[]>>, metric: 'cpuAvg' | 'cpuMax' | 'memAvg' | 'memMax'): AlignedSeries {
  const nodes = Object.keys(byNode).sort();
  const minutes = [...new Set(nodes.flatMap((n) => byNode[n].map((r) => Date.parse(r.minute))))].sort((a, b) => a - b);
  const ys = nodes.map((n) => {
    const at = new Map(byNode[n].map((r) => [Date.parse(r.minute), r[metric]]));
    return minutes.map((m) => at.get(m) ?? null);
  });
  return { nodes, data: [minutes.map((m) => m / 1000), ...ys] };
}

/** Distinct, colour-blind-friendly line colours (Okabe–Ito), cycled by node index. */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const seriesColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length];

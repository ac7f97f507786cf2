// Gantt timeline geometry: one row per node, one bar per attempt on its node's row. Attempts that
// overlap on a node (a node runs several tasks at once) go to separate lanes inside the row, so no
// bar hides another. Pure: the SVG view only draws what this returns.
import type { AttemptStatus } from '../api/api-types';
import { formatClock } from './format';
import { statusColor } from './status-colors';

export interface GanttAttempt {
  taskId: string;
  /** What the bar says: the task's name or command. */
  label: string;
  attempt: number;
  nodeId: string;
  status: AttemptStatus;
  startMs: number;
  /** null while running: the bar then ends at `nowMs`. */
  endMs: number | null;
}

export interface GanttOptions {
  /** Total drawing width in px. */
  width: number;
  nowMs: number;
  /** Time window shown; default: all attempts, padded 2 % each side. */
  window?: { fromMs: number; toMs: number };
  /** Rows to draw even without attempts (e.g. every known node), in this order, before any others. */
  nodeOrder?: readonly string[];
  labelWidth?: number;
  laneHeight?: number;
  rowGap?: number;
  axisHeight?: number;
  minBarWidth?: number;
  formatTick?: (ms: number, stepMs: number) => string;
}

export interface GanttRow {
  nodeId: string;
  y: number;
  height: number;
  lanes: number;
}

export interface GanttBar {
  key: string;
  taskId: string;
  attempt: number;
  nodeId: string;
  status: AttemptStatus;
  lane: number;
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  stroke: string;
  running: boolean;
  label: string;
  title: string;
}

export interface GanttTick {
  ms: number;
  x: number;
  label: string;
}

export interface GanttLayout {
  width: number;
  height: number;
  plotX: number;
  plotWidth: number;
  fromMs: number;
  toMs: number;
  rows: GanttRow[];
  bars: GanttBar[];
  ticks: GanttTick[];
}

const TICK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The smallest "nice" step that puts at most `maxTicks` ticks on `spanMs`. */
export function niceTimeStep(spanMs: number, maxTicks: number): number {
  const target = spanMs / Math.max(1, maxTicks);
  return TICK_STEPS_MS.find((s) => s >= target) ?? Math.ceil(target / 86_400_000) * 86_400_000;
}

/** Default window: every attempt, with 2 % padding each side (at least 250 ms). */
export function defaultWindow(attempts: readonly GanttAttempt[], nowMs: number): { fromMs: number; toMs: number } {
  if (!attempts.length) return { fromMs: nowMs - 60_000, toMs: nowMs };
  let from = Infinity;
  let to = -Infinity;
  for (const a of attempts) {
    from = Math.min(from, a.startMs);
    to = Math.max(to, a.endMs ?? nowMs, a.startMs);
  }
  const pad = Math.max(250, (to - from) * 0.02);
  return { fromMs: from - pad, toMs: to + pad };
}

/**
 * Lane of each attempt within its node: greedy interval partitioning in start order (optimal: uses
 * as many lanes as the most attempts running at once on that node). Keyed by `${taskId}#${attempt}`.
 */
export function assignLanes(attempts: readonly GanttAttempt[], nowMs: number): Map<string, number> {
  const lanes = new Map<string, number>();
  const byNode = new Map<string, GanttAttempt[]>();
  for (const a of attempts) byNode.set(a.nodeId, [...(byNode.get(a.nodeId) ?? []), a]);
  for (const list of byNode.values()) {
    const sorted = [...list].sort((a, b) => a.startMs - b.startMs || a.taskId.localeCompare(b.taskId) || a.attempt - b.attempt);
    const laneEnds: number[] = [];
    for (const a of sorted) {
      const end = a.endMs ?? nowMs;
      let lane = laneEnds.findIndex((e) => e <= a.startMs);
      if (lane === -1) {
        lane = laneEnds.length;
        laneEnds.push(end);
      } else laneEnds[lane] = end;
      lanes.set(barKey(a), lane);
    }
  }
  return lanes;
}

export const barKey = (a: Pick<GanttAttempt, 'taskId' | 'attempt'>): string => `${a.taskId}#${a.attempt}`;

export function layoutGantt(attempts: readonly GanttAttempt[], opts: GanttOptions): GanttLayout {
  const labelWidth = opts.labelWidth ?? 190;
  const laneHeight = opts.laneHeight ?? 18;
  const rowGap = opts.rowGap ?? 8;
  const axisHeight = opts.axisHeight ?? 22;
  const minBarWidth = opts.minBarWidth ?? 2;
  const formatTick = opts.formatTick ?? ((ms: number, step: number) => formatClock(ms, step < 1000));
  const { fromMs, toMs } = opts.window ?? defaultWindow(attempts, opts.nowMs);
  const span = Math.max(1, toMs - fromMs);
  const plotX = labelWidth;
  const plotWidth = Math.max(10, opts.width - labelWidth - 8);
  const xOf = (ms: number) => plotX + ((ms - fromMs) / span) * plotWidth;

  const lanes = assignLanes(attempts, opts.nowMs);
  const laneCount = new Map<string, number>();
  for (const a of attempts) laneCount.set(a.nodeId, Math.max(laneCount.get(a.nodeId) ?? 0, (lanes.get(barKey(a)) ?? 0) + 1));
  const order = [...(opts.nodeOrder ?? [])];
  const extra = [...laneCount.keys()].filter((n) => !order.includes(n)).sort();
  const rows: GanttRow[] = [];
  let y = axisHeight;
  for (const nodeId of [...new Set([...order, ...extra])]) {
    const n = Math.max(1, laneCount.get(nodeId) ?? 0);
    const height = n * laneHeight + rowGap;
    rows.push({ nodeId, y, height, lanes: n });
    y += height;
  }
  const rowOf = new Map(rows.map((r) => [r.nodeId, r]));

  const bars: GanttBar[] = [];
  for (const a of attempts) {
    const end = a.endMs ?? opts.nowMs;
    if (end < fromMs || a.startMs > toMs) continue;
    const row = rowOf.get(a.nodeId)!;
    const lane = lanes.get(barKey(a)) ?? 0;
    const x1 = xOf(Math.max(a.startMs, fromMs));
    const x2 = xOf(Math.min(end, toMs));
    const c = statusColor(a.status);
    const secs = ((end - a.startMs) / 1000).toFixed(a.endMs === null ? 0 : 2);
    bars.push({
      key: barKey(a),
      taskId: a.taskId,
      attempt: a.attempt,
      nodeId: a.nodeId,
      status: a.status,
      lane,
      x: x1,
      y: row.y + rowGap / 2 + lane * laneHeight + 1,
      width: Math.max(minBarWidth, x2 - x1),
      height: laneHeight - 2,
      fill: c.fill,
      stroke: c.stroke,
      running: a.endMs === null,
      label: a.label,
      title: `${a.label} · attempt ${a.attempt} · ${a.status} · ${a.nodeId} · ${secs} s${a.endMs === null ? ' so far' : ''}`,
    });
  }

  const step = niceTimeStep(span, Math.max(2, Math.floor(plotWidth / 90)));
  const ticks: GanttTick[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) ticks.push({ ms: t, x: xOf(t), label: formatTick(t, step) });

  return { width: opts.width, height: y, plotX, plotWidth, fromMs, toMs, rows, bars, ticks };
}

/** The time under an x position of the plot (for brushing a zoom window), clamped to the window. */
export function timeAtX(layout: Pick<GanttLayout, 'plotX' | 'plotWidth' | 'fromMs' | 'toMs'>, x: number): number {
  const f = Math.min(1, Math.max(0, (x - layout.plotX) / layout.plotWidth));
  return layout.fromMs + f * (layout.toMs - layout.fromMs);
}

/** Attempts of task details, as Gantt input (attempts without a start are skipped). */
export function attemptsOf(
  tasks: ReadonlyArray<{ id: string; label: string; attemptsDetail: ReadonlyArray<{ attempt: number; nodeId: string; status: AttemptStatus; startedAt: string; finishedAt: string | null }> }>,
): GanttAttempt[] {
  return tasks.flatMap((t) =>
    t.attemptsDetail.map((a) => ({
      taskId: t.id,
      label: t.label,
      attempt: a.attempt,
      nodeId: a.nodeId,
      status: a.status,
      startMs: Date.parse(a.startedAt),
      endMs: a.finishedAt ? Date.parse(a.finishedAt) : null,
    })),
  );
}

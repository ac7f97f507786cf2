// Workflow DAG: from the API's run view to a drawable layout. Layout by @dagrejs/dagre (layered
// Sugiyama layout: ranks, crossing reduction, coordinates, edge routes); this module only builds its
// input and reads its output, so both halves are testable without a browser.
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { AnyStatus, WorkflowView } from '../api/api-types';
import { formatDuration } from './format';
import { statusColor, workflowTaskStatus } from './status-colors';

export interface DagNodeInput {
  id: string;
  label: string;
  /** Second line: status and attempts/exit code. */
  detail: string;
  status: AnyStatus;
  taskId: string | null;
  width: number;
  height: number;
}

export interface DagEdgeInput {
  from: string;
  to: string;
  /** 'explicit' (dependsOn), 'file' (one task outputs a file another inputs) or 'both'. */
  origin: string;
  files: readonly string[];
}

export interface DagInput {
  nodes: DagNodeInput[];
  edges: DagEdgeInput[];
}

/** Above this many tasks the view lists tasks instead of drawing (layout is superlinear). */
export const MAX_DRAWN_NODES = 400;

const CHAR_PX = 7.2;
const NODE_HEIGHT = 42;

/** Node box width for a label: roughly 7 px a character at 12 px, padded, within 96..260 px. */
export function nodeWidth(label: string, detail: string): number {
  return Math.round(Math.min(260, Math.max(96, Math.max(label.length, detail.length) * CHAR_PX + 24)));
}

/** One node per workflow task and one edge per dependency, with the status each shows now. */
export function buildDagInput(w: Pick<WorkflowView, 'tasks' | 'edges'>, nowMs = Date.now()): DagInput {
  const nodes = w.tasks.map((t): DagNodeInput => {
    const status = workflowTaskStatus(t);
    const parts: string[] = [status.replace('_', ' ')];
    if (t.attempts > 1) parts.push(`${t.attempts} attempts`);
    if (t.exitCode !== null && t.exitCode !== 0) parts.push(`exit ${t.exitCode}`);
    if (t.startedAt) parts.push(formatDuration((t.finishedAt ? Date.parse(t.finishedAt) : nowMs) - Date.parse(t.startedAt)));
    const detail = parts.join(' · ');
    return { id: t.key, label: t.key, detail, status, taskId: t.taskId, width: nodeWidth(t.key, detail), height: NODE_HEIGHT };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges = w.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map((e) => ({ from: e.from, to: e.to, origin: e.origin, files: e.files }));
  return { nodes, edges };
}

export interface PlacedNode extends DagNodeInput {
  /** Top-left corner. */
  x: number;
  y: number;
  fill: string;
  stroke: string;
  text: string;
}

export interface PlacedEdge extends DagEdgeInput {
  points: Array<{ x: number; y: number }>;
  /** SVG path through the points. */
  d: string;
  stroke: string;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export interface DagLayoutOptions {
  /** LR (default): ranks left to right, the way pipelines read. */
  rankdir?: 'LR' | 'TB';
  margin?: number;
}

/** Lays the DAG out with dagre. Every input node and edge is in the output. */
export function layoutDag(input: DagInput, opts: DagLayoutOptions = {}): DagLayout {
  const margin = opts.margin ?? 16;
  const g = new graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: opts.rankdir ?? 'LR', nodesep: 18, ranksep: 48, edgesep: 10, marginx: margin, marginy: margin });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) g.setEdge(e.from, e.to, {});
  dagreLayout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const nodes = input.nodes.map((n): PlacedNode => {
    const p = g.node(n.id) as { x: number; y: number };
    const c = statusColor(n.status);
    return { ...n, x: p.x - n.width / 2, y: p.y - n.height / 2, fill: c.fill, stroke: c.stroke, text: c.text };
  });
  const statusOf = new Map(input.nodes.map((n) => [n.id, n.status]));
  const edges = input.edges.map((e): PlacedEdge => {
    const label = g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }> };
    const points = (label.points ?? []).map((p) => ({ x: round(p.x), y: round(p.y) }));
    // An edge is drawn in its upstream task's colour once that task has an outcome.
    const up = statusOf.get(e.from);
    const stroke = up === 'succeeded' ? statusColor('succeeded').stroke : up === 'failed' || up === 'upstream_failed' ? statusColor(up).stroke : '#8c93a0';
    return { ...e, points, d: pathThrough(points), stroke };
  });
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}

const round = (v: number) => Math.round(v * 10) / 10;

/** A smooth SVG path through points: straight for two, quadratic midpoints between more. */
export function pathThrough(points: ReadonlyArray<{ x: number; y: number }>): string {
  if (points.length === 0) return '';
  if (points.length <= 2) return points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mx = round((points[i].x + points[i + 1].x) / 2);
    const my = round((points[i].y + points[i + 1].y) / 2);
    d += ` Q${points[i].x},${points[i].y} ${mx},${my}`;
  }
  const last = points[points.length - 1];
  return `${d} L${last.x},${last.y}`;
}

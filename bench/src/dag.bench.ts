import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ROLLOUT_DEFAULTS,
  clusterFromWorkflow,
  compileDagProblem,
  dagLowerBound,
  heftSchedule,
  parseWfFormatText,
  peftSchedule,
  rolloutSchedule,
  transitiveReduction,
  validateDagSchedule,
  type DagMachine,
  type DagSchedule,
  type WfWorkflow,
} from '@kairos/scheduling-core';

// `kairos bench dag`: makespan of HEFT and of the rollout (look-ahead) list scheduler, alone, against a
// lower bound, on Pegasus WfFormat workflows, on scarce and heterogeneous clusters with costed transfers.

export interface DagBenchOptions {
  data: string[];
  json?: string;
  svg?: string;
  recorded?: boolean;
  machines?: string;
  cores?: string;
  speeds?: string;
  bandwidth?: string;
  width?: string;
  budget?: string;
  mergeFileEdges?: boolean;
}

/** A cluster to schedule on: fixed machines, or each workflow's own recorded machines. */
export interface DagClusterSpec {
  readonly name: string;
  /** Undefined: each workflow's recorded workflow.machines. */
  readonly machines?: readonly DagMachine[];
  /** Bytes per second between machines; undefined: transfers are free. */
  readonly bandwidth?: number;
}

export interface DagBenchRow {
  readonly cluster: string;
  readonly file: string;
  readonly tasks: number;
  readonly edges: number;
  /** Parent links implied by longer paths (removed by transitive reduction). */
  readonly redundantEdges: number;
  readonly totalCores: number;
  /** Fastest-cost work the cluster does per second (speed-weighted cores). */
  readonly capacity: number;
  readonly criticalPath: number;
  readonly workBound: number;
  /** max(critical path, work / capacity). */
  readonly lowerBound: number;
  /** The strongest sound bound (docs/bench-dag.md); gaps are measured against it. */
  readonly strongLowerBound: number;
  readonly boundParts: { readonly ancestor: number; readonly energetic: number; readonly packing: number };
  readonly heftMakespan: number;
  readonly peftMakespan: number;
  readonly rolloutMakespan: number;
  /** (HEFT − rollout) / (HEFT − strong bound); null when HEFT already meets the bound. */
  readonly gapClosed: number | null;
  /** Same, against max(critical path, work / capacity). */
  readonly gapClosedBasicBound: number | null;
  readonly rolloutToHeft: number;
  readonly rolloutPlacements: number;
  readonly rolloutDeviations: number;
  readonly budgetExhausted: boolean;
  readonly recordedMakespan: number | null;
  readonly fileEdgesNotInParents: number;
  readonly parentsWithoutFiles: number;
  readonly boundMillis: number;
  readonly heftMillis: number;
  readonly rolloutMillis: number;
  /** CPU time of the rollout (user + system of this process): steadier than wall time on a loaded machine. */
  readonly rolloutCpuMillis: number;
  /** Why this instance failed (unreadable file, invalid schedule, schedule below the bound); null if it did not. */
  readonly failure: string | null;
}

export interface DagClusterSummary {
  readonly cluster: string;
  readonly instances: number;
  readonly failures: number;
  /** Instances where HEFT is above the strong bound (the share of the gap is defined). */
  readonly withGap: number;
  /** Mean over instances with a gap of the share of HEFT's gap to the strong bound that the rollout closes. */
  readonly meanGapClosed: number | null;
  /** Σ (HEFT − rollout) / LB ÷ Σ (HEFT − LB) / LB over instances: the share of the summed relative gaps. */
  readonly pooledGapClosed: number | null;
  readonly meanGapClosedBasicBound: number | null;
  readonly meanHeftToBound: number;
  readonly meanRolloutToBound: number;
  readonly strictlyBetter: number;
  readonly worseThanHeft: number;
  /** max over instances of rollout / HEFT (≤ 1: never worse). */
  readonly worstRolloutToHeft: number;
  readonly maxRolloutCpuMillis: number;
  readonly maxRolloutPlacements: number;
  /** Instances where the look-ahead budget ran out before the last step. */
  readonly budgetExhausted: number;
}

export class DagBenchError extends Error {
  readonly code = 'DAG_BENCH_ARGS';
}

const MB = 1e6;

/** The headline set: scarce homogeneous clusters at 100 MB/s and a heterogeneous one at 10 MB/s. */
export const HEADLINE_CLUSTERS: readonly DagClusterSpec[] = [
  { name: '1x16 @ 100 MB/s', machines: uniformMachines(1, 16), bandwidth: 100 * MB },
  { name: '2x4 @ 100 MB/s', machines: uniformMachines(2, 4), bandwidth: 100 * MB },
  { name: '4x4 @ 100 MB/s', machines: uniformMachines(4, 4), bandwidth: 100 * MB },
  { name: 'het 4x4 speeds 2,2,1,1 @ 10 MB/s', machines: uniformMachines(4, 4, halfFastSpeeds(4)), bandwidth: 10 * MB },
];

function uniformMachines(count: number, cores: number, speeds?: readonly number[]): DagMachine[] {
  return Array.from({ length: count }, (_, i) => ({ id: `m${i}`, cores, ...(speeds ? { speed: speeds[i] } : {}) }));
}

/** "Half the nodes twice as fast": the first floor(n / 2) nodes at speed 2, the rest at 1. */
export function halfFastSpeeds(machines: number): number[] {
  return Array.from({ length: machines }, (_, i) => (i < Math.floor(machines / 2) ? 2 : 1));
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new DagBenchError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

const BANDWIDTH_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** "100MB/s", "10 MB/s", "1.5GB/s", "512KiB/s", "250000B/s"; a bare number is MB/s. Returns bytes/s. */
export function parseBandwidth(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?:([kmg]?i?b)\/s)?\s*$/i.exec(value);
  const unit = m?.[2]?.toLowerCase();
  const factor = unit === undefined ? MB : BANDWIDTH_UNITS[unit];
  const n = m ? Number(m[1]) : NaN;
  if (!m || factor === undefined || !(n > 0) || !Number.isFinite(n)) {
    throw new DagBenchError(`--bandwidth must be a positive rate such as 100MB/s, 10MB/s or 1GB/s (a bare number is MB/s), got "${value}"`);
  }
  return n * factor;
}

/** "2,2,1,1" (one positive speed per machine) or "half-fast" (half the nodes twice as fast). */
export function parseSpeeds(value: string, machines: number | undefined): number[] {
  if (value.trim().toLowerCase() === 'half-fast') {
    const count = machines ?? 0;
    if (count < 2) throw new DagBenchError(`--speeds half-fast needs --machines >= 2, got ${machines ?? 'none'}`);
    return halfFastSpeeds(count);
  }
  const parts = value.split(',').map((s) => s.trim());
  const speeds = parts.map(Number);
  if (parts.some((p) => p === '') || speeds.some((s) => !(s > 0) || !Number.isFinite(s))) {
    throw new DagBenchError(`--speeds must be "half-fast" or a comma-separated list of positive numbers, one per machine, got "${value}"`);
  }
  if (machines !== undefined && speeds.length !== machines) {
    throw new DagBenchError(`--speeds lists ${speeds.length} speeds but --machines is ${machines}`);
  }
  return speeds;
}

function formatRate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined) return 'free transfers';
  return bytesPerSecond >= 1e9 ? `${bytesPerSecond / 1e9} GB/s` : `${bytesPerSecond / MB} MB/s`;
}

/** The clusters the flags ask for (validated; a bad value names its flag). */
export function clustersFromOptions(opts: DagBenchOptions): DagClusterSpec[] {
  const custom = opts.machines !== undefined || opts.cores !== undefined || opts.speeds !== undefined;
  if (opts.recorded && custom) throw new DagBenchError('--recorded uses each workflow\'s own machines; drop --machines, --cores and --speeds');
  const bandwidth = opts.bandwidth === undefined ? undefined : parseBandwidth(opts.bandwidth);
  if (opts.recorded) return [{ name: `recorded machines, ${formatRate(bandwidth)}`, bandwidth }];
  if (!custom) {
    if (bandwidth !== undefined) throw new DagBenchError('--bandwidth needs --cores (a custom cluster) or --recorded; the headline set fixes its own bandwidths');
    return [...HEADLINE_CLUSTERS];
  }
  let machines = integer(opts.machines, '--machines', 1);
  const cores = integer(opts.cores, '--cores', 1);
  if (cores === undefined) throw new DagBenchError('--machines and --speeds need --cores (cores per machine)');
  const speeds = opts.speeds === undefined ? undefined : parseSpeeds(opts.speeds, machines);
  machines ??= speeds?.length ?? 1;
  const speedText = speeds && speeds.some((s) => s !== 1) ? ` speeds ${speeds.join(',')}` : '';
  return [{ name: `${machines}x${cores}${speedText} @ ${formatRate(bandwidth)}`, machines: uniformMachines(machines, cores, speeds), bandwidth }];
}

/** Expands folders to their *.json files (sorted); files are taken as given. */
export function listWorkflowFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new DagBenchError(`--data path not found: ${p}`);
    if (statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => f.endsWith('.json')).sort();
      if (files.length === 0) throw new DagBenchError(`--data ${p}: folder has no *.json WfFormat files`);
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

/** Share of HEFT's gap to `bound` that `ours` closes; null when HEFT is already at the bound. */
export function gapClosed(heft: number, ours: number, bound: number): number | null {
  const gap = heft - bound;
  if (!(gap > 1e-9 * Math.max(1, heft))) return null;
  return (heft - ours) / gap;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function summarise(cluster: string, rows: readonly DagBenchRow[]): DagClusterSummary {
  const ok = rows.filter((r) => r.failure === null);
  const shares = ok.map((r) => r.gapClosed).filter((v): v is number => v !== null);
  const sharesBasic = ok.map((r) => r.gapClosedBasicBound).filter((v): v is number => v !== null);
  const relGap = ok.reduce((a, r) => a + (r.heftMakespan - r.strongLowerBound) / r.strongLowerBound, 0);
  const relClosed = ok.reduce((a, r) => a + (r.heftMakespan - r.rolloutMakespan) / r.strongLowerBound, 0);
  const tol = (r: DagBenchRow): number => 1e-9 * Math.max(1, r.heftMakespan);
  return {
    cluster,
    instances: rows.length,
    failures: rows.length - ok.length,
    withGap: shares.length,
    meanGapClosed: mean(shares),
    pooledGapClosed: relGap > 0 ? relClosed / relGap : null,
    meanGapClosedBasicBound: mean(sharesBasic),
    meanHeftToBound: mean(ok.map((r) => r.heftMakespan / r.strongLowerBound)) ?? NaN,
    meanRolloutToBound: mean(ok.map((r) => r.rolloutMakespan / r.strongLowerBound)) ?? NaN,
    strictlyBetter: ok.filter((r) => r.rolloutMakespan < r.heftMakespan - tol(r)).length,
    worseThanHeft: ok.filter((r) => r.rolloutMakespan > r.heftMakespan + tol(r)).length,
    worstRolloutToHeft: ok.reduce((a, r) => Math.max(a, r.rolloutToHeft), 0),
    maxRolloutCpuMillis: ok.reduce((a, r) => Math.max(a, r.rolloutCpuMillis), 0),
    maxRolloutPlacements: ok.reduce((a, r) => Math.max(a, r.rolloutPlacements), 0),
    budgetExhausted: ok.filter((r) => r.budgetExhausted).length,
  };
}

function fixed(v: number | null, digits = 1): string {
  return v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(1)}%`;
}

function table(rows: readonly DagBenchRow[]): string {
  const head = ['instance', 'tasks', 'LB', 'LB+', 'HEFT', 'PEFT', 'rollout', 'gap closed', 'rollout/HEFT', 'HEFT/LB+', 'rollout/LB+', 'cpu ms'];
  const body = rows.map((r) =>
    r.failure !== null
      ? [r.file.replace(/\.json$/, ''), String(r.tasks), `FAILED: ${r.failure}`]
      : [
          r.file.replace(/\.json$/, ''),
          String(r.tasks),
          fixed(r.lowerBound),
          fixed(r.strongLowerBound),
          fixed(r.heftMakespan),
          fixed(r.peftMakespan),
          fixed(r.rolloutMakespan),
          pct(r.gapClosed),
          fixed(r.rolloutToHeft, 4),
          fixed(r.heftMakespan / r.strongLowerBound, 4),
          fixed(r.rolloutMakespan / r.strongLowerBound, 4),
          String(r.rolloutCpuMillis),
        ],
  );
  const width = head.map((h, i) => Math.max(h.length, ...body.filter((b) => b.length === head.length).map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : cells.length < head.length ? c : c.padStart(width[i]))).join('  ');
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function summaryLine(s: DagClusterSummary): string {
  return (
    `${s.cluster}: gap to LB+ closed ${pct(s.meanGapClosed)} on average over ${s.withGap} instances with a gap ` +
    `(pooled ${pct(s.pooledGapClosed)}; vs max(CP, work/capacity) ${pct(s.meanGapClosedBasicBound)}); ` +
    `rollout < HEFT on ${s.strictlyBetter}, > HEFT on ${s.worseThanHeft}, worst rollout/HEFT ${fixed(s.worstRolloutToHeft, 4)}; ` +
    `mean HEFT/LB+ ${fixed(s.meanHeftToBound, 4)}, rollout/LB+ ${fixed(s.meanRolloutToBound, 4)}; ` +
    `rollout at most ${s.maxRolloutCpuMillis} ms CPU and ${s.maxRolloutPlacements} placements per instance (budget ran out on ${s.budgetExhausted}); ` +
    `failures ${s.failures}/${s.instances}`
  );
}

interface LoadedWorkflow {
  readonly path: string;
  readonly wf?: WfWorkflow;
  readonly error?: string;
  readonly redundantEdges: number;
}

function loadWorkflow(path: string, mergeFileEdges: boolean): LoadedWorkflow {
  try {
    const wf = parseWfFormatText(readFileSync(path, 'utf8'), path, { mergeFileEdges });
    return { path, wf, redundantEdges: transitiveReduction(wf.dag).removed.length };
  } catch (err) {
    return { path, error: err instanceof Error ? err.message : String(err), redundantEdges: 0 };
  }
}

function failedRow(cluster: string, file: string, tasks: number, failure: string): DagBenchRow {
  return {
    cluster, file, tasks, edges: 0, redundantEdges: 0, totalCores: 0, capacity: 0, criticalPath: NaN, workBound: NaN, lowerBound: NaN,
    strongLowerBound: NaN, boundParts: { ancestor: NaN, energetic: NaN, packing: NaN }, heftMakespan: NaN, peftMakespan: NaN,
    rolloutMakespan: NaN, gapClosed: null, gapClosedBasicBound: null, rolloutToHeft: NaN, rolloutPlacements: 0, rolloutDeviations: 0,
    budgetExhausted: false, recordedMakespan: null, fileEdgesNotInParents: 0, parentsWithoutFiles: 0, boundMillis: 0, heftMillis: 0,
    rolloutMillis: 0, rolloutCpuMillis: 0, failure,
  };
}

/** Schedules one workflow on one cluster with HEFT, PEFT and the rollout; checks every schedule. */
export function benchInstance(cluster: DagClusterSpec, loaded: LoadedWorkflow, rollout: { width: number; maxPlacements: number }): DagBenchRow {
  const file = basename(loaded.path);
  const wf = loaded.wf;
  if (!wf) return failedRow(cluster.name, file, 0, loaded.error ?? 'unreadable');
  const machines = cluster.machines ?? clusterFromWorkflow(wf);
  if (machines.length === 0) return failedRow(cluster.name, file, wf.dag.ids.length, 'workflow.machines is empty; use a fixed cluster (--cores)');
  const cp = compileDagProblem({ dag: wf.dag, machines, edgeBytes: wf.edgeBytes, bandwidth: cluster.bandwidth });
  let t = Date.now();
  const lb = dagLowerBound(cp);
  const boundMillis = Date.now() - t;
  t = Date.now();
  const heft = heftSchedule(cp);
  const heftMillis = Date.now() - t;
  const peft = peftSchedule(cp);
  t = Date.now();
  const cpu = process.cpuUsage();
  const ro = rolloutSchedule(cp, { ...rollout, lowerBound: lb.strongLowerBound });
  const used = process.cpuUsage(cpu);
  const rolloutMillis = Date.now() - t;
  const rolloutCpuMillis = Math.round((used.user + used.system) / 1000);
  const problems: string[] = [];
  const check = (s: DagSchedule, name: string): void => {
    const bad = validateDagSchedule(cp, s);
    if (bad.length > 0) problems.push(`${name} schedule invalid (${bad.length} problems; first: ${bad[0]})`);
    if (s.makespan < lb.strongLowerBound * (1 - 1e-9) - 1e-9) problems.push(`${name} makespan ${s.makespan} is below the lower bound ${lb.strongLowerBound}`);
  };
  check(heft, 'HEFT');
  check(peft, 'PEFT');
  check(ro.schedule, 'rollout');
  if (ro.baseMakespan !== heft.makespan) problems.push(`rollout's base rule gave ${ro.baseMakespan}, HEFT ${heft.makespan}`);
  return {
    cluster: cluster.name,
    file,
    tasks: cp.n,
    edges: wf.dag.edges.length,
    redundantEdges: loaded.redundantEdges,
    totalCores: cp.machineOfCore.length,
    capacity: cp.capacity,
    criticalPath: lb.criticalPath,
    workBound: lb.workBound,
    lowerBound: lb.lowerBound,
    strongLowerBound: lb.strongLowerBound,
    boundParts: { ancestor: lb.ancestorBound, energetic: lb.energeticBound, packing: lb.packingBound },
    heftMakespan: heft.makespan,
    peftMakespan: peft.makespan,
    rolloutMakespan: ro.schedule.makespan,
    gapClosed: gapClosed(heft.makespan, ro.schedule.makespan, lb.strongLowerBound),
    gapClosedBasicBound: gapClosed(heft.makespan, ro.schedule.makespan, lb.lowerBound),
    rolloutToHeft: heft.makespan > 0 ? ro.schedule.makespan / heft.makespan : 1,
    rolloutPlacements: ro.placements,
    rolloutDeviations: ro.deviations,
    budgetExhausted: ro.budgetExhausted,
    recordedMakespan: wf.makespanInSeconds ?? null,
    fileEdgesNotInParents: wf.fileCheck.inferredNotExplicit.length,
    parentsWithoutFiles: wf.fileCheck.explicitWithoutFiles,
    boundMillis,
    heftMillis,
    rolloutMillis,
    rolloutCpuMillis,
    failure: problems.length > 0 ? problems.join('; ') : null,
  };
}

export interface DagBenchResult {
  readonly clusters: readonly { spec: DagClusterSpec; rows: DagBenchRow[]; summary: DagClusterSummary }[];
  readonly overall: DagClusterSummary;
}

export function runDagBench(opts: DagBenchOptions, log: (line: string) => void, progress: (line: string) => void): DagBenchResult {
  const clusters = clustersFromOptions(opts);
  const width = integer(opts.width, '--width', 1) ?? ROLLOUT_DEFAULTS.width;
  const maxPlacements = integer(opts.budget, '--budget', 0) ?? ROLLOUT_DEFAULTS.maxPlacements;
  const files = listWorkflowFiles(opts.data.map((d) => resolve(d)));
  const workflows = files.map((f) => loadWorkflow(f, opts.mergeFileEdges ?? false));
  const total = clusters.length * workflows.length;
  const results: { spec: DagClusterSpec; rows: DagBenchRow[]; summary: DagClusterSummary }[] = [];
  let done = 0;
  for (const spec of clusters) {
    const rows: DagBenchRow[] = [];
    for (const loaded of workflows) {
      const row = benchInstance(spec, loaded, { width, maxPlacements });
      rows.push(row);
      done++;
      progress(
        `[${done}/${total}] ${spec.name} ${row.file}: ` +
          (row.failure !== null
            ? `FAILED ${row.failure}`
            : `${row.tasks} tasks, HEFT ${row.heftMakespan.toFixed(1)} s, rollout ${row.rolloutMakespan.toFixed(1)} s, LB+ ${row.strongLowerBound.toFixed(1)} s, gap closed ${pct(row.gapClosed)} (${row.rolloutCpuMillis} ms CPU, ${row.rolloutMillis} ms wall)`),
      );
    }
    const summary = summarise(spec.name, rows);
    results.push({ spec, rows, summary });
    log(`\n## ${spec.name}`);
    log(table(rows));
    log(summaryLine(summary));
  }
  const overall = summarise('all clusters', results.flatMap((r) => r.rows));
  log(`\n${summaryLine(overall)}`);
  const loadedOk = workflows.filter((w) => w.wf);
  log(`redundant (transitively implied) parent links: ${loadedOk.reduce((a, w) => a + w.redundantEdges, 0)} of ${loadedOk.reduce((a, w) => a + (w.wf?.dag.edges.length ?? 0), 0)}`);
  const fileIssues = loadedOk.filter((w) => (w.wf?.fileCheck.inferredNotExplicit.length ?? 0) > 0);
  log(`file-inferred edges missing from parents: ${fileIssues.length === 0 ? 'none' : fileIssues.map((w) => `${basename(w.path)}: ${w.wf?.fileCheck.inferredNotExplicit.length}`).join(', ')}`);
  return { clusters: results, overall };
}

/** One panel per cluster: makespan / LB+ for HEFT and the rollout, one bar pair per instance. */
export function renderSvg(panels: readonly { title: string; rows: readonly DagBenchRow[] }[], title: string): string {
  const barW = 12;
  const groupW = barW * 2 + 10;
  const left = 60;
  const panelH = 200;
  const labelH = 150;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const maxRows = Math.max(1, ...panels.map((p) => p.rows.length));
  const width = left + maxRows * groupW + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${40 + panels.length * (panelH + labelH + 30)}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="20" font-size="14">${esc(title)}</text>`,
    `<rect x="${width - 190}" y="8" width="10" height="10" fill="#999"/><text x="${width - 176}" y="17">HEFT / LB+</text>`,
    `<rect x="${width - 100}" y="8" width="10" height="10" fill="#2a6"/><text x="${width - 86}" y="17">rollout / LB+</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = 50 + p * (panelH + labelH + 30);
    const ok = panel.rows.filter((r) => r.failure === null);
    const maxRatio = Math.max(1.05, ...ok.map((r) => r.heftMakespan / r.strongLowerBound));
    // Ratios are >= 1 (the bound is a bound); the axis starts at 1 so differences of a few percent show.
    const y = (v: number): number => top + panelH - ((Math.min(Math.max(v, 1), maxRatio) - 1) / (maxRatio - 1)) * panelH;
    parts.push(`<text x="${left}" y="${top - 6}" font-size="12">${esc(panel.title)}</text>`);
    for (const tick of [1, (1 + maxRatio) / 2, maxRatio]) {
      parts.push(`<line x1="${left - 4}" y1="${y(tick)}" x2="${width - 10}" y2="${y(tick)}" stroke="#ddd"/>`);
      parts.push(`<text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(3)}</text>`);
    }
    panel.rows.forEach((r, i) => {
      const x = left + 6 + i * groupW;
      if (r.failure === null) {
        const h = r.heftMakespan / r.strongLowerBound;
        const o = r.rolloutMakespan / r.strongLowerBound;
        parts.push(`<rect x="${x}" y="${y(h)}" width="${barW}" height="${y(1) - y(h)}" fill="#999"><title>HEFT ${h.toFixed(4)}</title></rect>`);
        parts.push(`<rect x="${x + barW}" y="${y(o)}" width="${barW}" height="${y(1) - y(o)}" fill="#2a6"><title>rollout ${o.toFixed(4)}</title></rect>`);
      } else {
        parts.push(`<text x="${x}" y="${y(1) - 4}" fill="#c00">✗</text>`);
      }
      const lx = x + barW;
      parts.push(`<text x="${lx}" y="${y(1) + 10}" transform="rotate(60 ${lx} ${y(1) + 10})">${esc(r.file.replace(/\.json$/, ''))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function register(bench: Command): void {
  bench
    .command('dag')
    .description(
      'DAG makespan on Pegasus WfFormat workflows: lower bound, HEFT, PEFT and the rollout (look-ahead) scheduler alone. ' +
        'Default: the headline clusters 1x16, 2x4, 4x4 cores at 100 MB/s and 4x4 with speeds 2,2,1,1 at 10 MB/s.',
    )
    .option('--data <paths...>', 'WfFormat JSON files or folders of them', [join(repoRoot(), '..', 'shared', 'datasets', 'pegasus')])
    .option('--json <file>', 'write every instance and the summaries as JSON')
    .option('--svg <file>', 'write a bar chart of makespan / lower bound per cluster')
    .option('--machines <n>', 'custom cluster: number of machines (default 1; needs --cores)')
    .option('--cores <n>', 'custom cluster: cores per machine')
    .option('--speeds <list>', 'custom cluster: speed per machine, e.g. 2,2,1,1, or "half-fast" (half the machines at speed 2)')
    .option('--bandwidth <rate>', 'custom or recorded cluster: bandwidth between machines, e.g. 100MB/s, 10MB/s (bare number: MB/s; default: free)')
    .option('--recorded', "each workflow's own recorded machines (workflow.machines) instead of the headline set")
    .option('--width <k>', `rollout: ready tasks tried per step (default ${ROLLOUT_DEFAULTS.width})`)
    .option('--budget <placements>', `rollout: look-ahead placements per instance (default ${ROLLOUT_DEFAULTS.maxPlacements})`)
    .option('--merge-file-edges', 'add file-inferred edges that the parents lists miss')
    .action((opts: DagBenchOptions) => {
      // Validate every flag before printing anything, so a bad value is the only output.
      clustersFromOptions(opts);
      integer(opts.width, '--width', 1);
      integer(opts.budget, '--budget', 0);
      const started = new Date();
      const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, loadavg: loadavg() };
      const commit = gitCommit();
      process.stdout.write(
        `bench dag ${started.toISOString()} commit ${commit ?? 'unknown'}, ${machine.cpus} CPUs, load average ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}\n`,
      );
      const result = runDagBench(opts, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`));
      if (opts.json) {
        writeFileSync(
          opts.json,
          JSON.stringify(
            {
              benchmark: 'dag',
              date: started.toISOString(),
              commit,
              machine,
              command: process.argv.slice(2).join(' '),
              rollout: {
                width: integer(opts.width, '--width', 1) ?? ROLLOUT_DEFAULTS.width,
                maxPlacements: integer(opts.budget, '--budget', 0) ?? ROLLOUT_DEFAULTS.maxPlacements,
                machineAlternatives: ROLLOUT_DEFAULTS.machineAlternatives,
              },
              overall: result.overall,
              clusters: result.clusters.map((c) => ({ name: c.spec.name, machines: c.spec.machines ?? 'recorded', bandwidthBytesPerSecond: c.spec.bandwidth ?? null, summary: c.summary, instances: c.rows })),
            },
            null,
            2,
          ),
        );
        process.stderr.write(`wrote ${opts.json}\n`);
      }
      if (opts.svg) {
        writeFileSync(opts.svg, renderSvg(result.clusters.map((c) => ({ title: c.spec.name, rows: c.rows })), 'DAG makespan / lower bound (LB+): HEFT vs rollout'));
        process.stderr.write(`wrote ${opts.svg}\n`);
      }
      if (result.overall.failures > 0) {
        process.stderr.write(`${result.overall.failures} instance(s) failed\n`);
        process.exitCode = 1;
      }
    });
}

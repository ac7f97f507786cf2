import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  clusterFromWorkflow,
  compileDagProblem,
  criticalPath,
  parseWfFormatText,
  portfolioSchedule,
  dagLowerBound,
  transitiveReduction,
  validateDagSchedule,
  type DagMachine,
} from '@kairos/scheduling-core';

// `kairos bench dag`: HEFT vs the portfolio DAG scheduler on Pegasus WfFormat workflows.

interface DagBenchOptions {
  data: string[];
  json?: string;
  svg?: string;
  machines?: string;
  cores?: string;
  bandwidth?: string;
  iterations: string;
  seed: string;
  mergeFileEdges?: boolean;
}

export interface DagBenchInstance {
  readonly file: string;
  readonly tasks: number;
  readonly edges: number;
  /** Parent links implied by longer paths (removed by transitive reduction). */
  readonly redundantEdges: number;
  readonly cluster: string;
  readonly totalCores: number;
  readonly criticalPath: number;
  readonly workBound: number;
  readonly lowerBound: number;
  /** Tighter bound from ancestor/descendant work (context only; targets use lowerBound). */
  readonly strongLowerBound: number;
  readonly heftMakespan: number;
  readonly makespan: number;
  readonly algorithm: string;
  readonly ratioToLowerBound: number;
  readonly heftRatioToLowerBound: number;
  readonly recordedMakespan: number | null;
  readonly candidates: readonly { algorithm: string; makespan: number }[];
  readonly evaluations: number;
  readonly fileEdgesNotInParents: number;
  readonly parentsWithoutFiles: number;
  readonly millis: number;
}

class DagBenchError extends Error {
  readonly code = 'DAG_BENCH_ARGS';
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

function positive(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new DagBenchError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return n;
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

function fixed(v: number, digits = 1): string {
  return v.toFixed(digits);
}

function table(rows: DagBenchInstance[]): string {
  const head = ['instance', 'tasks', 'cores', 'LB', 'LB+', 'CP', 'HEFT', 'ours', 'ours/LB', 'HEFT/LB', 'best rule', 'recorded', 'ms'];
  const body = rows.map((r) => [
    r.file.replace(/\.json$/, ''),
    String(r.tasks),
    String(r.totalCores),
    fixed(r.lowerBound),
    fixed(r.strongLowerBound),
    fixed(r.criticalPath),
    fixed(r.heftMakespan),
    fixed(r.makespan),
    fixed(r.ratioToLowerBound, 4),
    fixed(r.heftRatioToLowerBound, 4),
    r.algorithm,
    r.recordedMakespan === null ? '-' : fixed(r.recordedMakespan),
    String(r.millis),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 10 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Grouped bars: makespan / lower bound for HEFT and ours, one group per instance. */
export function renderSvg(rows: readonly DagBenchInstance[], title: string): string {
  const barW = 14;
  const groupW = barW * 2 + 14;
  const left = 60;
  const top = 40;
  const h = 260;
  const width = left + rows.length * groupW + 20;
  const maxRatio = Math.max(1.2, ...rows.map((r) => Math.max(r.heftRatioToLowerBound, r.ratioToLowerBound)));
  // Ratios are >= 1 by construction; start the axis at 0.9 so differences of a few percent are visible.
  const base = 0.9;
  const y = (v: number): number => top + h - ((Math.max(v, base) - base) / (maxRatio - base)) * h;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + h + 170}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="20" font-size="14">${esc(title)}</text>`,
    `<line x1="${left}" y1="${y(base)}" x2="${width - 10}" y2="${y(base)}" stroke="#000"/>`,
  ];
  for (const tick of [...new Set([base, 1, 1.1, Math.round(maxRatio * 10) / 10])]) {
    parts.push(`<line x1="${left - 4}" y1="${y(tick)}" x2="${width - 10}" y2="${y(tick)}" stroke="${tick === 1.1 ? '#c00' : '#ddd'}"/>`);
    parts.push(`<text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  rows.forEach((r, i) => {
    const x = left + 8 + i * groupW;
    parts.push(`<rect x="${x}" y="${y(r.heftRatioToLowerBound)}" width="${barW}" height="${y(base) - y(r.heftRatioToLowerBound)}" fill="#999"><title>HEFT ${r.heftRatioToLowerBound.toFixed(4)}</title></rect>`);
    parts.push(`<rect x="${x + barW}" y="${y(r.ratioToLowerBound)}" width="${barW}" height="${y(base) - y(r.ratioToLowerBound)}" fill="#2a6"><title>ours ${r.ratioToLowerBound.toFixed(4)}</title></rect>`);
    const lx = x + barW;
    parts.push(`<text x="${lx}" y="${y(base) + 10}" transform="rotate(60 ${lx} ${y(base) + 10})">${esc(r.file.replace(/\.json$/, ''))}</text>`);
  });
  parts.push(`<rect x="${width - 150}" y="8" width="10" height="10" fill="#999"/><text x="${width - 136}" y="17">HEFT / LB</text>`);
  parts.push(`<rect x="${width - 80}" y="8" width="10" height="10" fill="#2a6"/><text x="${width - 66}" y="17">ours / LB</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export function runDagBench(opts: DagBenchOptions, log: (line: string) => void, progress: (line: string) => void): DagBenchInstance[] {
  const machinesN = positive(opts.machines, '--machines', true);
  const coresN = positive(opts.cores, '--cores', true);
  const bandwidthMBps = positive(opts.bandwidth, '--bandwidth', false);
  const iterations = Number(opts.iterations);
  if (!Number.isInteger(iterations) || iterations < 0) throw new DagBenchError(`--iterations must be an integer >= 0, got "${opts.iterations}"`);
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new DagBenchError(`--seed must be an integer, got "${opts.seed}"`);
  if (machinesN !== undefined && coresN === undefined) {
    throw new DagBenchError('--machines needs --cores (cores per machine)');
  }
  const files = listWorkflowFiles(opts.data.map((d) => resolve(d)));
  const rows: DagBenchInstance[] = [];
  files.forEach((path, k) => {
    const started = Date.now();
    const wf = parseWfFormatText(readFileSync(path, 'utf8'), path, { mergeFileEdges: opts.mergeFileEdges ?? false });
    let machines: DagMachine[];
    if (coresN !== undefined) {
      machines = Array.from({ length: machinesN ?? 1 }, (_, i) => ({ id: `m${i}`, cores: coresN }));
    } else {
      machines = clusterFromWorkflow(wf);
      if (machines.length === 0) throw new DagBenchError(`${path}: workflow.machines is empty; pass --cores (and --machines) for a fixed cluster`);
    }
    const cp = compileDagProblem({
      dag: wf.dag,
      machines,
      edgeBytes: wf.edgeBytes,
      bandwidth: bandwidthMBps === undefined ? undefined : bandwidthMBps * 1e6,
    });
    const lb = dagLowerBound(cp);
    const result = portfolioSchedule(cp, { iterations, seed });
    for (const s of [result.heft, result.best]) {
      const problems = validateDagSchedule(cp, s);
      if (problems.length > 0) throw new DagBenchError(`${path}: ${s.algorithm} produced an invalid schedule: ${problems[0]}`);
    }
    const file = basename(path);
    rows.push({
      file,
      tasks: wf.dag.ids.length,
      edges: wf.dag.edges.length,
      redundantEdges: transitiveReduction(wf.dag).removed.length,
      cluster: machines.map((m) => `${m.id}:${m.cores}`).join(','),
      totalCores: cp.machineOfCore.length,
      criticalPath: criticalPath(wf.dag).length,
      workBound: lb.workBound,
      lowerBound: lb.lowerBound,
      strongLowerBound: lb.strongLowerBound,
      heftMakespan: result.heft.makespan,
      makespan: result.best.makespan,
      algorithm: result.best.algorithm,
      ratioToLowerBound: result.best.makespan / lb.lowerBound,
      heftRatioToLowerBound: result.heft.makespan / lb.lowerBound,
      recordedMakespan: wf.makespanInSeconds ?? null,
      candidates: result.candidates,
      evaluations: result.evaluations,
      fileEdgesNotInParents: wf.fileCheck.inferredNotExplicit.length,
      parentsWithoutFiles: wf.fileCheck.explicitWithoutFiles,
      millis: Date.now() - started,
    });
    progress(`[${k + 1}/${files.length}] ${file}: ${wf.dag.ids.length} tasks, ours ${result.best.makespan.toFixed(1)} s vs HEFT ${result.heft.makespan.toFixed(1)} s`);
  });
  log(table(rows));
  const mean = rows.reduce((a, r) => a + r.ratioToLowerBound, 0) / rows.length;
  const heftMean = rows.reduce((a, r) => a + r.heftRatioToLowerBound, 0) / rows.length;
  const notWorse = rows.filter((r) => r.makespan <= r.heftMakespan + 1e-9).length;
  const better = rows.filter((r) => r.makespan < r.heftMakespan - 1e-9).length;
  log(`mean makespan / lower bound: ours ${mean.toFixed(4)}, HEFT ${heftMean.toFixed(4)} (target <= 1.1)`);
  log(`ours <= HEFT on ${notWorse}/${rows.length} instances (strictly better on ${better})`);
  const fileIssues = rows.filter((r) => r.fileEdgesNotInParents > 0);
  log(`redundant (transitively implied) parent links: ${rows.reduce((a, r) => a + r.redundantEdges, 0)} of ${rows.reduce((a, r) => a + r.edges, 0)}`);
  log(`file-inferred edges missing from parents: ${fileIssues.length === 0 ? 'none' : fileIssues.map((r) => `${r.file}: ${r.fileEdgesNotInParents}`).join(', ')}`);
  return rows;
}

export function register(bench: Command): void {
  bench
    .command('dag')
    .description('DAG makespan on Pegasus WfFormat workflows: lower bound, HEFT and the portfolio scheduler')
    .option('--data <paths...>', 'WfFormat JSON files or folders of them', [join(repoRoot(), '..', 'shared', 'datasets', 'pegasus')])
    .option('--json <file>', 'write per-instance results as JSON')
    .option('--svg <file>', 'write a bar chart of makespan / lower bound')
    .option('--machines <n>', 'fixed cluster: number of identical machines (with --cores)')
    .option('--cores <n>', 'fixed cluster: cores per machine (default: the workflow.machines of each file)')
    .option('--bandwidth <MBps>', 'inter-machine bandwidth in MB/s for file transfers (default: transfers are free)')
    .option('--iterations <n>', 'local-search evaluations per instance', '200')
    .option('--seed <n>', 'local-search seed', '1')
    .option('--merge-file-edges', 'add file-inferred edges that the parents lists miss')
    .action((opts: DagBenchOptions) => {
      const rows = runDagBench(opts, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`));
      const cluster = opts.cores ? `${opts.machines ?? 1} x ${opts.cores} cores` : 'recorded workflow.machines';
      if (opts.json) {
        const mean = rows.reduce((a, r) => a + r.ratioToLowerBound, 0) / rows.length;
        const heftMean = rows.reduce((a, r) => a + r.heftRatioToLowerBound, 0) / rows.length;
        writeFileSync(
          opts.json,
          JSON.stringify(
            {
              benchmark: 'dag',
              cluster,
              bandwidthMBps: opts.bandwidth ? Number(opts.bandwidth) : null,
              iterations: Number(opts.iterations),
              seed: Number(opts.seed),
              summary: {
                instances: rows.length,
                meanRatioToLowerBound: mean,
                heftMeanRatioToLowerBound: heftMean,
                notWorseThanHeft: rows.filter((r) => r.makespan <= r.heftMakespan + 1e-9).length,
              },
              instances: rows,
            },
            null,
            2,
          ),
        );
        process.stderr.write(`wrote ${opts.json}\n`);
      }
      if (opts.svg) {
        writeFileSync(opts.svg, renderSvg(rows, `DAG makespan / lower bound (${cluster}${opts.bandwidth ? `, ${opts.bandwidth} MB/s` : ''})`));
        process.stderr.write(`wrote ${opts.svg}\n`);
      }
    });
}

import { DagCycleError, WfFormatError } from './dag.errors';
import { Dag, DagEdge, DagTaskSpec, buildDag, inferFileEdges } from './dag.model';
import { DagMachine } from './dag-schedule.model';

/** Pegasus / WfCommons WfFormat (1.4, plus the 1.5 specification/execution split) → Dag. */

export interface WfFile {
  readonly name: string;
  readonly link: 'input' | 'output';
  readonly sizeInBytes: number;
}

export interface WfTask {
  readonly id: string;
  readonly name: string;
  readonly category?: string;
  /** Parent task ids (references by name are resolved to ids). */
  readonly parents: readonly string[];
  readonly runtimeInSeconds: number;
  /** Percent of one core (100 = one full core), when recorded. */
  readonly avgCPU?: number;
  readonly files: readonly WfFile[];
}

export interface WfMachine {
  readonly nodeName: string;
  readonly cores: number;
  readonly speedMHz?: number;
  readonly memoryInBytes?: number;
}

export interface WfFileEdgeCheck {
  /** Producer → consumer pairs implied by files. */
  readonly inferred: number;
  /** Of those, how many are not explicit parent links (reported, not silently added unless merged). */
  readonly inferredNotExplicit: readonly DagEdge[];
  /** Explicit parent links that carry no file. */
  readonly explicitWithoutFiles: number;
}

export interface WfWorkflow {
  readonly source: string;
  readonly name: string;
  readonly schemaVersion: string;
  readonly tasks: readonly WfTask[];
  readonly machines: readonly WfMachine[];
  /** The makespan the real execution achieved, when recorded. */
  readonly makespanInSeconds?: number;
  /** Durations are runtimeInSeconds; edges are the explicit parents (plus file edges with mergeFileEdges). */
  readonly dag: Dag;
  readonly fileCheck: WfFileEdgeCheck;
  /** Bytes of the files produced by `from` and read by `to` (dag indices). */
  readonly edgeBytes: (from: number, to: number) => number;
}

export interface WfParseOptions {
  /** Add file-inferred edges that the explicit parents miss (default false: only report them). */
  readonly mergeFileEdges?: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(readonly source: string) {}

  fail(code: WfFormatError['code'], field: string, problem: string): never {
    throw new WfFormatError(code, this.source, field, problem);
  }

  object(v: unknown, field: string): Json {
    if (v === undefined) this.fail('missing_field', field, 'is missing');
    if (!isObject(v)) this.fail('invalid_field', field, `must be an object, got ${describe(v)}`);
    return v;
  }

  array(v: unknown, field: string, optional = false): unknown[] {
    if (v === undefined && optional) return [];
    if (v === undefined) this.fail('missing_field', field, 'is missing');
    if (!Array.isArray(v)) this.fail('invalid_field', field, `must be an array, got ${describe(v)}`);
    return v;
  }

  string(v: unknown, field: string): string {
    if (v === undefined) this.fail('missing_field', field, 'is missing');
    if (typeof v !== 'string' || v.length === 0) this.fail('invalid_field', field, `must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  number(v: unknown, field: string, opts: { optional?: boolean; min?: number; integer?: boolean } = {}): number | undefined {
    if (v === undefined || v === null) {
      if (opts.optional) return undefined;
      this.fail('missing_field', field, 'is missing');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail('invalid_field', field, `must be a finite number, got ${describe(v)}`);
    if (opts.min !== undefined && v < opts.min) this.fail('invalid_field', field, `must be >= ${opts.min}, got ${v}`);
    if (opts.integer && !Number.isInteger(v)) this.fail('invalid_field', field, `must be an integer, got ${v}`);
    return v;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Parses JSON text first, so a syntax error names the file. */
export function parseWfFormatText(text: string, source: string, options: WfParseOptions = {}): WfWorkflow {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new WfFormatError('invalid_json', source, '(document)', err instanceof Error ? err.message : String(err));
  }
  return parseWfFormat(doc, source, options);
}

interface RawTask {
  id: string;
  name: string;
  category?: string;
  parentRefs: { ref: string; field: string }[];
  runtimeInSeconds: number;
  avgCPU?: number;
  files: WfFile[];
}

export function parseWfFormat(doc: unknown, source: string, options: WfParseOptions = {}): WfWorkflow {
  const r: Reader = new Reader(source);
  const root = r.object(doc, '(document)');
  const wf = r.object(root['workflow'], 'workflow');
  const schemaVersion = typeof root['schemaVersion'] === 'string' ? root['schemaVersion'] : 'unknown';
  const name = typeof root['name'] === 'string' ? root['name'] : source;
  const split = wf['specification'] !== undefined;
  const { tasks: raw, machines, makespan } = split ? readSplit(r, wf) : readFlat(r, wf);

  const indexById = new Map<string, number>();
  const indexByName = new Map<string, number>();
  raw.forEach((t, i) => {
    if (indexById.has(t.id)) r.fail('duplicate_task', `${split ? 'workflow.specification.tasks' : 'workflow.tasks'}[${i}].id`, `duplicate task id "${t.id}"`);
    indexById.set(t.id, i);
    if (!indexByName.has(t.name)) indexByName.set(t.name, i);
  });
  const tasks: WfTask[] = raw.map((t) => {
    const parents = t.parentRefs.map(({ ref, field }) => {
      const i = indexById.get(ref) ?? indexByName.get(ref);
      if (i === undefined) r.fail('unknown_parent', field, `names no task id or name: "${ref}"`);
      return raw[i].id;
    });
    return { id: t.id, name: t.name, category: t.category, parents: [...new Set(parents)], runtimeInSeconds: t.runtimeInSeconds, avgCPU: t.avgCPU, files: t.files };
  });

  const specs: DagTaskSpec[] = tasks.map((t) => ({
    id: t.id,
    dependsOn: t.parents,
    duration: t.runtimeInSeconds,
    inputs: t.files.filter((f) => f.link === 'input').map((f) => f.name),
    outputs: t.files.filter((f) => f.link === 'output').map((f) => f.name),
  }));
  let dag: Dag;
  try {
    dag = buildDag(specs, { inferFromFiles: options.mergeFileEdges ?? false });
  } catch (err) {
    if (err instanceof DagCycleError) r.fail('cycle', split ? 'workflow.specification.tasks[].parents' : 'workflow.tasks[].parents', `dependency cycle ${err.cycle.join(' -> ')}`);
    throw err;
  }

  const explicit = new Set<string>();
  tasks.forEach((t) => t.parents.forEach((p) => explicit.add(`${p}\u0000${t.id}`)));
  const inferred = inferFileEdges(specs);
  const inferredKeys = new Set(inferred.map((e) => `${e.from}\u0000${e.to}`));
  const fileCheck: WfFileEdgeCheck = {
    inferred: inferred.length,
    inferredNotExplicit: inferred.filter((e) => !explicit.has(`${e.from}\u0000${e.to}`)),
    explicitWithoutFiles: [...explicit].filter((k) => !inferredKeys.has(k)).length,
  };

  const sizeOf = tasks.map((t) => new Map(t.files.map((f) => [`${f.link}\u0000${f.name}`, f.sizeInBytes])));
  const bytesByEdge = new Map<string, number>();
  for (const e of inferred) {
    const from = indexById.get(e.from) as number;
    bytesByEdge.set(`${from},${indexById.get(e.to)}`, e.files.reduce((a, f) => a + (sizeOf[from].get(`output\u0000${f}`) ?? 0), 0));
  }
  return {
    source,
    name,
    schemaVersion,
    tasks,
    machines,
    makespanInSeconds: makespan,
    dag,
    fileCheck,
    edgeBytes: (from, to) => bytesByEdge.get(`${from},${to}`) ?? 0,
  };
}

/** One DagMachine per recorded machine (cores = cpu.count, homogeneous speed). */
export function clusterFromWorkflow(wf: WfWorkflow): DagMachine[] {
  return wf.machines.map((m) => ({ id: m.nodeName, cores: m.cores }));
}

function readFiles(r: Reader, v: unknown, field: string): WfFile[] {
  return r.array(v, field, true).map((f, j) => {
    const o = r.object(f, `${field}[${j}]`);
    const link = r.string(o['link'], `${field}[${j}].link`);
    if (link !== 'input' && link !== 'output') r.fail('invalid_field', `${field}[${j}].link`, `must be "input" or "output", got "${link}"`);
    return {
      name: r.string(o['name'] ?? o['id'], `${field}[${j}].name`),
      link,
      sizeInBytes: r.number(o['sizeInBytes'] ?? o['size'], `${field}[${j}].sizeInBytes`, { optional: true, min: 0 }) ?? 0,
    };
  });
}

function readMachines(r: Reader, v: unknown, field: string): WfMachine[] {
  return r.array(v, field, true).map((m, i) => {
    const o = r.object(m, `${field}[${i}]`);
    const cpu = r.object(o['cpu'], `${field}[${i}].cpu`);
    return {
      nodeName: r.string(o['nodeName'], `${field}[${i}].nodeName`),
      cores: r.number(cpu['count'] ?? cpu['coreCount'], `${field}[${i}].cpu.count`, { min: 1, integer: true }) as number,
      speedMHz: r.number(cpu['speed'] ?? cpu['speedInMHz'], `${field}[${i}].cpu.speed`, { optional: true, min: 0 }),
      memoryInBytes: r.number(o['memoryInBytes'], `${field}[${i}].memoryInBytes`, { optional: true, min: 0 }),
    };
  });
}

function readParents(r: Reader, v: unknown, field: string): { ref: string; field: string }[] {
  return r.array(v, field, true).map((p, j) => ({ ref: r.string(p, `${field}[${j}]`), field: `${field}[${j}]` }));
}

/** WfFormat 1.4: everything on workflow.tasks[]. */
function readFlat(r: Reader, wf: Json): { tasks: RawTask[]; machines: WfMachine[]; makespan?: number } {
  const tasks = r.array(wf['tasks'], 'workflow.tasks').map((t, i): RawTask => {
    const f = `workflow.tasks[${i}]`;
    const o = r.object(t, f);
    const name = r.string(o['name'] ?? o['id'], `${f}.name`);
    return {
      id: o['id'] === undefined ? name : r.string(o['id'], `${f}.id`),
      name,
      category: typeof o['category'] === 'string' ? o['category'] : undefined,
      parentRefs: readParents(r, o['parents'], `${f}.parents`),
      runtimeInSeconds: r.number(o['runtimeInSeconds'] ?? o['runtime'], `${f}.runtimeInSeconds`, { min: 0 }) as number,
      avgCPU: r.number(o['avgCPU'], `${f}.avgCPU`, { optional: true, min: 0 }),
      files: readFiles(r, o['files'], `${f}.files`),
    };
  });
  return {
    tasks,
    machines: readMachines(r, wf['machines'], 'workflow.machines'),
    makespan: r.number(wf['makespanInSeconds'], 'workflow.makespanInSeconds', { optional: true, min: 0 }),
  };
}

/** WfFormat 1.5 style: structure in workflow.specification, measurements in workflow.execution. */
function readSplit(r: Reader, wf: Json): { tasks: RawTask[]; machines: WfMachine[]; makespan?: number } {
  const spec = r.object(wf['specification'], 'workflow.specification');
  const exec = r.object(wf['execution'], 'workflow.execution');
  const sizes = new Map<string, number>();
  r.array(spec['files'], 'workflow.specification.files', true).forEach((f, i) => {
    const o = r.object(f, `workflow.specification.files[${i}]`);
    sizes.set(
      r.string(o['id'], `workflow.specification.files[${i}].id`),
      r.number(o['sizeInBytes'], `workflow.specification.files[${i}].sizeInBytes`, { optional: true, min: 0 }) ?? 0,
    );
  });
  const measured = new Map<string, { runtime: number; avgCPU?: number }>();
  r.array(exec['tasks'], 'workflow.execution.tasks').forEach((t, i) => {
    const f = `workflow.execution.tasks[${i}]`;
    const o = r.object(t, f);
    measured.set(r.string(o['id'], `${f}.id`), {
      runtime: r.number(o['runtimeInSeconds'], `${f}.runtimeInSeconds`, { min: 0 }) as number,
      avgCPU: r.number(o['avgCPU'], `${f}.avgCPU`, { optional: true, min: 0 }),
    });
  });
  const fileList = (v: unknown, field: string, link: 'input' | 'output'): WfFile[] =>
    r.array(v, field, true).map((id, j) => {
      const name = r.string(id, `${field}[${j}]`);
      return { name, link, sizeInBytes: sizes.get(name) ?? 0 };
    });
  const tasks = r.array(spec['tasks'], 'workflow.specification.tasks').map((t, i): RawTask => {
    const f = `workflow.specification.tasks[${i}]`;
    const o = r.object(t, f);
    const id = r.string(o['id'], `${f}.id`);
    const m = measured.get(id);
    if (!m) r.fail('missing_field', 'workflow.execution.tasks', `has no entry for task "${id}"`);
    return {
      id,
      name: typeof o['name'] === 'string' ? o['name'] : id,
      category: typeof o['category'] === 'string' ? o['category'] : undefined,
      parentRefs: readParents(r, o['parents'], `${f}.parents`),
      runtimeInSeconds: m.runtime,
      avgCPU: m.avgCPU,
      files: [...fileList(o['inputFiles'], `${f}.inputFiles`, 'input'), ...fileList(o['outputFiles'], `${f}.outputFiles`, 'output')],
    };
  });
  return {
    tasks,
    machines: readMachines(r, exec['machines'], 'workflow.execution.machines'),
    makespan: r.number(exec['makespanInSeconds'], 'workflow.execution.makespanInSeconds', { optional: true, min: 0 }),
  };
}

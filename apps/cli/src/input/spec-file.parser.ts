import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { SubmitTaskSchema, SubmitWorkflowSchema, type SubmitTaskInput, type SubmitWorkflowInput } from '@kairos/contracts';
import { CliError } from '../cli.errors';

export type SpecKind = 'task' | 'workflow';
export type ParsedSpec = { kind: 'task'; spec: SubmitTaskInput } | { kind: 'workflow'; spec: SubmitWorkflowInput };

export interface SpecParseOptions {
  /** Overrides detection by shape (`--task` / `--workflow`). */
  kind?: SpecKind;
  /** Workflow name when the file has none (the CLI passes the file's base name). */
  defaultWorkflowName?: string;
}

interface Position {
  line: number;
  col: number;
}

/**
 * Reads a task or workflow spec from YAML or JSON text. Every error names the file, and the line and
 * column where the parser stopped or where the offending field is; schema errors name the field
 * (`tasks[1].run.command: …`), checked with the same contract schemas the server uses.
 */
export function parseSpecText(text: string, file: string, opts: SpecParseOptions = {}): ParsedSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  let value: unknown;
  if (/\.json$/i.test(file)) {
    value = parseJson(text, file, doc, lines);
  } else {
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new CliError('INVALID_INPUT', `${at(file, lines.linePos(e.pos[0]))}: invalid YAML: ${stripPosition(e.message)}`);
    }
    value = doc.toJS({ maxAliasCount: 100 });
  }
  if (value === null || value === undefined) throw new CliError('INVALID_INPUT', `${file}: empty file; expected a task (with \`run\`) or a workflow (with \`tasks\`)`);
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError('INVALID_INPUT', `${at(file, { line: 1, col: 1 })}: expected a mapping (a task with \`run\`, or a workflow with \`tasks\`), got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  const kind = opts.kind ?? detectKind(obj, file);
  if (kind === 'workflow') {
    const withName = obj.name === undefined && opts.defaultWorkflowName ? { ...obj, name: opts.defaultWorkflowName } : obj;
    return { kind, spec: validate(SubmitWorkflowSchema, withName, file, doc, lines) };
  }
  return { kind, spec: validate(SubmitTaskSchema, obj, file, doc, lines) };
}

function detectKind(obj: Record<string, unknown>, file: string): SpecKind {
  if ('tasks' in obj) return 'workflow';
  if ('run' in obj) return 'task';
  throw new CliError('INVALID_INPUT', `${file}: neither a task (needs \`run\`) nor a workflow (needs \`tasks\`); use --task or --workflow to say which`);
}

function parseJson(text: string, file: string, doc: Document, lines: LineCounter): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    // V8 says "at position N" for most errors; otherwise the YAML parser (JSON is YAML) locates it.
    const m = / at position (\d+)/.exec(message);
    let pos: Position | undefined = m ? lines.linePos(Number(m[1])) : undefined;
    if (!pos) {
      const strict = parseDocument(text, { lineCounter: new LineCounter(), schema: 'json', prettyErrors: false });
      const first = strict.errors[0] ?? doc.errors[0];
      if (first) pos = lineColOf(text, first.pos[0]);
    }
    const clean = message.replace(/ at position \d+.*$/, '').replace(/ in JSON$/, '');
    throw new CliError('INVALID_INPUT', `${pos ? at(file, pos) : file}: invalid JSON: ${clean}`);
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown, file: string, doc: Document, lines: LineCounter): z.input<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data as z.input<S>;
  const problems = r.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // An unknown key is best pointed at the key itself.
    const pos = (issue.code === 'unrecognized_keys' && issue.keys.length ? keyPositionOf(doc, lines, path, issue.keys[0]) : undefined) ?? positionOf(doc, lines, path);
    return `${pos ? at(file, pos) : file}: ${formatPath(path)}: ${issue.message}`;
  });
  throw new CliError('INVALID_INPUT', problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`);
}

/** The node at `path`, or its nearest ancestor present in the document (for a missing field). */
function positionOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): Position | undefined {
  if (doc.errors.length) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) return lines.linePos(node.range[0] as number);
  }
  return undefined;
}

function keyPositionOf(doc: Document, lines: LineCounter, path: readonly (string | number)[], key: string): Position | undefined {
  if (doc.errors.length) return undefined;
  const parent = path.length ? doc.getIn(path, true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? lines.linePos(range[0]) : undefined;
}

/** `tasks[1].run.command`, the way the server names fields. */
export function formatPath(path: readonly (string | number)[]): string {
  if (!path.length) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function at(file: string, pos: Position): string {
  return `${file}:${pos.line}:${pos.col}`;
}

function lineColOf(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** yaml's messages end with " at line L, column C" (and a code frame when pretty); we print our own. */
function stripPosition(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

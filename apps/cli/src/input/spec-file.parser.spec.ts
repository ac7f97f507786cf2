import { CliError } from '../cli.errors';
import { formatPath, parseSpecText } from './spec-file.parser';

const fail = (text: string, file: string, opts = {}): CliError => {
  try {
    parseSpecText(text, file, opts);
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
};

describe('parseSpecText', () => {
  it('reads a YAML workflow, detects it by shape and fills the contract defaults', () => {
    const yaml = ['name: demo', 'tasks:', '  - key: a', '    run: { kind: noop }', '  - key: b', '    dependsOn: [a]', '    run:', '      kind: shell', '      command: [echo, hi]', ''].join('\n');
    const r = parseSpecText(yaml, 'wf.yaml');
    expect(r.kind).toBe('workflow');
    if (r.kind !== 'workflow') return;
    expect(r.spec.tasks.map((t) => t.key)).toEqual(['a', 'b']);
    expect(r.spec.tasks[1].run).toEqual({ kind: 'shell', command: ['echo', 'hi'], shell: false, env: {} });
  });

  it('reads a JSON task and detects it by `run`', () => {
    const r = parseSpecText('{"run": {"kind": "noop", "sleepMs": 5}, "queue": "batch"}', 'task.json');
    expect(r).toMatchObject({ kind: 'task', spec: { queue: 'batch', run: { kind: 'noop', sleepMs: 5 } } });
  });

  it('names the workflow after the file when it has no name', () => {
    const r = parseSpecText('tasks: [{key: a, run: {kind: noop}}]', 'nightly.yaml', { defaultWorkflowName: 'nightly' });
    expect(r.kind === 'workflow' && r.spec.name).toBe('nightly');
  });

  it.each([
    // unclosed flow sequence: the parser stops at the start of line 3
    ['name: x\ntasks: [\n  {key: a\n', 'wf.yaml', /^wf\.yaml:\d+:\d+: invalid YAML: /],
    // a tab where indentation is expected
    ['name: x\ntasks:\n\t- key: a\n', 'wf.yml', /^wf\.yml:3:1: invalid YAML: /],
    ['name: x\nname: y\n', 'dup.yaml', /^dup\.yaml:2:1: invalid YAML: Map keys must be unique/],
  ])('YAML syntax errors name the file, line and column (%#)', (text, file, re) => {
    expect(fail(text, file).message).toMatch(re);
  });

  it.each([
    ['{\n  "run": {"kind": "noop"},\n  "queue": "a"\n  "priority": 3\n}', '4:3'],
    ['{"run": {"kind": "noop"},}', '1:26'],
    ['{"run": tru}', '1:9'],
    ['{"run": }', '1:9'],
  ])('JSON syntax errors name the file, line and column: %j → %s', (text, pos) => {
    const e = fail(text, 't.json');
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message.startsWith(`t.json:${pos}: invalid JSON: `)).toBe(true);
  });

  it('schema errors name the field and where it is in the file', () => {
    const yaml = ['name: demo', 'tasks:', '  - key: a', '    run: { kind: noop }', '  - key: b', '    run:', '      kind: shell', '      command: []', ''].join('\n');
    expect(fail(yaml, 'wf.yaml').message).toBe('wf.yaml:8:16: tasks[1].run.command: command must name a program');
  });

  it('an unknown key is pointed at the key; a missing field at its parent; several problems are all listed', () => {
    const yaml = ['run:', '  kind: noop', 'priorty: 3', ''].join('\n');
    expect(fail(yaml, 't.yaml').message).toMatch(/^t\.yaml:3:1: \(root\): Unrecognized key: "priorty"/);
    const two = fail(['name: w', 'tasks:', '  - key: "bad key"', '  - run: {kind: noop}', ''].join('\n'), 'w.yaml').message;
    expect(two).toMatch(/^3 problems:/);
    expect(two).toContain('w.yaml:3:10: tasks[0].key: key must be letters');
    expect(two).toContain('w.yaml:3:5: tasks[0].run: ');
    expect(two).toContain('w.yaml:4:5: tasks[1].key: ');
  });

  it('--workflow / --task override detection, and a shapeless file says what it expects', () => {
    expect(fail('run: {kind: noop}', 'x.yaml', { kind: 'workflow' }).message).toMatch(/tasks/);
    expect(fail('foo: 1', 'x.yaml').message).toBe('x.yaml: neither a task (needs `run`) nor a workflow (needs `tasks`); use --task or --workflow to say which');
    expect(fail('', 'x.yaml').message).toMatch(/empty file/);
    expect(fail('- a\n- b\n', 'x.yaml').message).toMatch(/expected a mapping.*got a list/);
  });
});

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['tasks', 1, 'run', 'command'], 'tasks[1].run.command'],
    [['name'], 'name'],
  ])('%j → %s', (path, s) => expect(formatPath(path)).toBe(s));
});

import { formatIssuePath, validateWorkflow } from './workflow-validation';

const noop = { kind: 'noop' };
const issuesOf = (input: unknown): string[] => {
  const v = validateWorkflow(input);
  return v.ok ? [] : v.issues;
};

describe('formatIssuePath', () => {
  it.each([
    [[], '(root)'],
    [['name'], 'name'],
    [['tasks', 3, 'dependsOn', 0], 'tasks[3].dependsOn[0]'],
    [['tasks', 0, 'run', 'command'], 'tasks[0].run.command'],
  ] as const)('%j -> %s', (path, expected) => {
    expect(formatIssuePath(path)).toBe(expected);
  });
});

describe('validateWorkflow', () => {
  it.each([
    ['missing name', { tasks: [{ key: 'a', run: noop }] }, 'name: '],
    ['no tasks', { name: 'w', tasks: [] }, 'tasks: a workflow needs at least one task'],
    ['unknown field', { name: 'w', tasks: [{ key: 'a', run: noop, bogus: 1 }] }, 'tasks[0]: Unrecognized key: "bogus"'],
    ['bad key', { name: 'w', tasks: [{ key: 'a b', run: noop }] }, 'tasks[0].key: key must be'],
    ['duplicate key', { name: 'w', tasks: [{ key: 'a', run: noop }, { key: 'a', run: noop }] }, 'tasks[1].key: duplicate task key "a" (first used by tasks[0])'],
    ['unknown dependency', { name: 'w', tasks: [{ key: 'a', run: noop }, { key: 'b', run: noop, dependsOn: ['a', 'x'] }] }, 'tasks[1].dependsOn[1]: unknown task key "x"'],
    ['self dependency', { name: 'w', tasks: [{ key: 'a', run: noop, dependsOn: ['a'] }] }, 'tasks[0].dependsOn[0]: task "a" depends on itself'],
    [
      'explicit cycle',
      { name: 'w', tasks: [{ key: 'a', run: noop, dependsOn: ['b'] }, { key: 'b', run: noop, dependsOn: ['a'] }] },
      'tasks: dependency cycle a -> b -> a',
    ],
    [
      'cycle through a file edge',
      { name: 'w', tasks: [{ key: 'a', run: noop, inputs: ['f'] }, { key: 'b', run: noop, dependsOn: ['a'], outputs: ['f'] }] },
      'tasks: dependency cycle a -> b -> a',
    ],
  ])('%s', (_label, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.some((i) => i.startsWith(expected))).toBe(true);
  });

  it('accepts a valid DAG and infers file edges', () => {
    const v = validateWorkflow({
      name: 'w',
      tasks: [
        { key: 'gen', run: noop, outputs: ['data.csv'] },
        { key: 'fit', run: noop, inputs: ['data.csv'] },
        { key: 'report', run: noop, dependsOn: ['fit', 'gen'] },
      ],
    });
    if (!v.ok) throw new Error(v.issues.join('; '));
    expect(v.dag.edges.map((e) => `${e.from}->${e.to}:${e.origin}`).sort()).toEqual(['fit->report:explicit', 'gen->fit:file', 'gen->report:explicit']);
    expect(v.spec.tasks[0]).toMatchObject({ queue: 'default', maxAttempts: 1, dependsOn: [] });
  });
});

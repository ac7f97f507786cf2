import { detectFormat, parseWorkflowText, WORKFLOW_EXAMPLE } from './workflow-input';

describe('workflow text (JSON or YAML)', () => {
  it('parses JSON', async () => {
    expect(await parseWorkflowText(' {"name":"a","tasks":[]}')).toEqual({ ok: true, value: { name: 'a', tasks: [] }, format: 'json' });
  });

  it('parses the YAML example into the same object as its JSON', async () => {
    const r = await parseWorkflowText(WORKFLOW_EXAMPLE);
    expect(r).toEqual({
      ok: true,
      format: 'yaml',
      value: {
        name: 'etl',
        tasks: [
          { key: 'extract', run: { kind: 'shell', command: ['sh', '-c', 'echo extracted'] } },
          { key: 'transform', dependsOn: ['extract'], run: { kind: 'noop', sleepMs: 500 } },
          { key: 'load', dependsOn: ['transform'], run: { kind: 'shell', command: ['echo', 'loaded'] } },
        ],
      },
    });
  });

  it('says what is wrong and where', async () => {
    expect(await parseWorkflowText('  ')).toEqual({ ok: false, message: 'paste a workflow as JSON or YAML', format: null });
    const json = await parseWorkflowText('{"name": "a",}');
    expect(json.ok).toBe(false);
    expect(!json.ok && json.message).toMatch(/^not valid JSON: /);
    const yaml = await parseWorkflowText('name: a\ntasks:\n  - key: x\n   run: y\n');
    expect(!yaml.ok && yaml.message).toMatch(/^not valid YAML \(line 4, column \d+\): /);
    expect(await parseWorkflowText('just a string')).toEqual({ ok: false, message: 'a workflow is an object with "name" and "tasks"', format: 'yaml' });
  });

  it('detects the format from the first character', () => {
    expect(detectFormat('\n [1]')).toBe('json');
    expect(detectFormat('name: x')).toBe('yaml');
  });
});

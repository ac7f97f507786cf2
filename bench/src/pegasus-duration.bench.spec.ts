import { parseWfFormat } from '@kairos/scheduling-core';
import { NUMERIC_FEATURES, commandsById, familyOf, geoMeanRatio, pegasusTaskRows } from './pegasus-duration.bench';

/** a → (b, c); b and c share the parent set {a}. Sizes chosen so the features can be checked by hand. */
const DOC = {
  name: 'tiny',
  schemaVersion: '1.4',
  workflow: {
    makespanInSeconds: 10,
    machines: [{ nodeName: 'm1', cpu: { count: 2 } }],
    tasks: [
      { id: 'a', name: 'split_ID1', category: 'split', parents: [], runtimeInSeconds: 2, avgCPU: 99, command: { program: 'split', arguments: ['in.txt', 4] }, files: [{ name: 'in.txt', link: 'input', sizeInBytes: 99 }, { name: 'x', link: 'output', sizeInBytes: 1e9 }] },
      { id: 'b', name: 'work_ID2', category: 'work', parents: ['a'], runtimeInSeconds: 5, files: [{ name: 'x', link: 'input', sizeInBytes: 1e9 }, { name: 'extra', link: 'input', sizeInBytes: 0 }] },
      { id: 'c', name: 'work_ID3', category: 'work', parents: ['a'], runtimeInSeconds: 7, files: [{ name: 'x', link: 'input', sizeInBytes: 1e9 }] },
    ],
  },
};

describe('pegasusTaskRows', () => {
  it('computes the numeric group from inputs and DAG shape only (never avgCPU, outputs sizes or the machine)', () => {
    const rows = pegasusTaskRows(parseWfFormat(DOC, 'tiny.json'), DOC, '/data/montage-chameleon-x.json');
    const f = (r: number, name: (typeof NUMERIC_FEATURES)[number]): number => rows[r].numeric[NUMERIC_FEATURES.indexOf(name)];
    expect(rows.map((r) => r.runtime)).toEqual([2, 5, 7]);
    expect(rows[0].family).toBe('montage');
    expect(f(0, 'log_input_bytes')).toBeCloseTo(Math.log1p(99), 12);
    expect(f(0, 'log_output_files')).toBeCloseTo(Math.log(2), 12);
    expect(f(1, 'log_input_files')).toBeCloseTo(Math.log(3), 12);
    expect(f(1, 'log_max_input_bytes')).toBeCloseTo(Math.log1p(1e9), 12);
    expect([0, 1, 2].map((r) => f(r, 'dag_level'))).toEqual([0, 1, 1]);
    expect(f(2, 'dag_level_share')).toBe(1);
    expect(f(1, 'log_level_width')).toBeCloseTo(Math.log(3), 12);
    expect(f(1, 'log_same_parent_set')).toBeCloseTo(Math.log(3), 12);
    expect(f(0, 'log_children')).toBeCloseTo(Math.log(3), 12);
    const mean = (Math.log1p(99) + 2 * Math.log1p(1e9)) / 3;
    expect(f(0, 'workflow_mean_log_input_bytes')).toBeCloseTo(mean, 12);
    expect(f(0, 'input_bytes_vs_workflow')).toBeCloseTo(Math.log1p(99) - mean, 12);
    // Changing what is measured after the run leaves the inputs unchanged.
    const after = JSON.parse(JSON.stringify(DOC)) as typeof DOC;
    after.workflow.tasks[0].avgCPU = 1;
    after.workflow.tasks[0].files[1].sizeInBytes = 5;
    expect(pegasusTaskRows(parseWfFormat(after, 'tiny.json'), after, 'x.json')[0].numeric).toEqual(rows[0].numeric);
  });

  it('keeps the text for group (b): name, category, program and arguments as strings', () => {
    const rows = pegasusTaskRows(parseWfFormat(DOC, 'tiny.json'), DOC, 'tiny.json');
    expect(rows[0].text).toEqual({ name: 'split_ID1', category: 'split', program: 'split', args: ['in.txt', '4'] });
    expect(rows[1].text.program).toBeUndefined();
    expect(commandsById({ nothing: true }).size).toBe(0);
  });

  it('names the family by the file name up to the first dash', () => {
    expect(familyOf('/x/1000genome-chameleon-2ch-100k-001.json')).toBe('1000genome');
    expect(familyOf('plain.json')).toBe('plain');
  });
});

describe('geoMeanRatio', () => {
  it('is the geometric mean of per-workflow MAE ratios, skipping zero MAEs', () => {
    const w = (workflow: string, mae: number) => ({ workflow, family: 'f', tasks: 1, meanRuntime: 1, mae, wape: mae });
    const a = { workflows: [w('x', 2), w('y', 1), w('z', 0)] };
    const b = { workflows: [w('x', 1), w('y', 4), w('z', 3)] };
    // (2/1 · 1/4)^(1/2) = 0.5^(1/2)
    expect(geoMeanRatio(a, b)).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

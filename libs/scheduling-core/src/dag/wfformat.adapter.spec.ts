import { WfFormatError } from './dag.errors';
import { topologicalOrder } from './dag.model';
import { rolloutSchedule } from './dag-rollout.scheduler';
import { compileDagProblem, validateDagSchedule } from './dag-schedule.model';
import { heftSchedule } from './heft.scheduler';
import { clusterFromWorkflow, parseWfFormat, parseWfFormatText } from './wfformat.adapter';

type Doc = Record<string, unknown>;

// A three-task 1.4 document: split -> (left, right); right names its parent by name, as some Pegasus files do.
function doc14(): Doc {
  return {
    name: 'tiny',
    schemaVersion: '1.4',
    workflow: {
      makespanInSeconds: 42,
      machines: [{ nodeName: 'n1', cpu: { count: 4, speed: 2000 }, memoryInBytes: 1000 }],
      tasks: [
        { id: 'ID1', name: 'split_ID1', category: 'split', parents: [], runtimeInSeconds: 3, avgCPU: 95, files: [{ link: 'input', name: 'in.dat', sizeInBytes: 10 }, { link: 'output', name: 'a.part', sizeInBytes: 100 }, { link: 'output', name: 'b.part', sizeInBytes: 50 }] },
        { id: 'ID2', name: 'left_ID2', parents: ['ID1'], runtimeInSeconds: 5, files: [{ link: 'input', name: 'a.part', sizeInBytes: 100 }] },
        { id: 'ID3', name: 'right_ID3', parents: ['split_ID1'], runtimeInSeconds: 7, files: [{ link: 'input', name: 'b.part', sizeInBytes: 50 }, { link: 'input', name: 'a.part', sizeInBytes: 100 }] },
      ],
    },
  };
}

function withTask(i: number, patch: Doc): Doc {
  const d = doc14();
  const wf = d['workflow'] as { tasks: Doc[] };
  wf.tasks[i] = { ...wf.tasks[i], ...patch };
  return d;
}

describe('parseWfFormat (1.4)', () => {
  it('builds the DAG from parents, resolves name references, keeps runtimes and machines', () => {
    const wf = parseWfFormat(doc14(), 'tiny.json');
    expect(topologicalOrder(wf.dag)).toEqual(['ID1', 'ID2', 'ID3']);
    expect(wf.tasks[2].parents).toEqual(['ID1']);
    expect(wf.dag.durations).toEqual([3, 5, 7]);
    expect(wf.makespanInSeconds).toBe(42);
    expect(clusterFromWorkflow(wf)).toEqual([{ id: 'n1', cores: 4 }]);
    expect(wf.fileCheck).toEqual({ inferred: 2, inferredNotExplicit: [], explicitWithoutFiles: 0 });
  });

  it('edge data is the size of the files the parent produced and the child reads', () => {
    const wf = parseWfFormat(doc14(), 'tiny.json');
    expect(wf.edgeBytes(0, 1)).toBe(100);
    expect(wf.edgeBytes(0, 2)).toBe(150);
    expect(wf.edgeBytes(1, 2)).toBe(0);
  });

  it('reports file-inferred edges missing from parents, and can merge them', () => {
    const d = withTask(2, { parents: [] });
    const checked = parseWfFormat(d, 'x.json');
    expect(checked.fileCheck.inferredNotExplicit.map((e) => `${e.from}->${e.to}`)).toEqual(['ID1->ID3']);
    expect(checked.dag.preds[2]).toEqual([]);
    expect(parseWfFormat(d, 'x.json', { mergeFileEdges: true }).dag.preds[2]).toEqual([0]);
  });

  it.each<[string, Doc, string, string]>([
    ['missing workflow', { name: 'x' }, 'missing_field', 'bad.json: workflow: is missing'],
    ['tasks not an array', { workflow: { tasks: {} } }, 'invalid_field', 'bad.json: workflow.tasks: must be an array, got an object'],
    ['runtime missing', withTask(1, { runtimeInSeconds: undefined }), 'missing_field', 'bad.json: workflow.tasks[1].runtimeInSeconds: is missing'],
    ['runtime not numeric', withTask(1, { runtimeInSeconds: '5s' }), 'invalid_field', 'bad.json: workflow.tasks[1].runtimeInSeconds: must be a finite number, got "5s"'],
    ['negative runtime', withTask(0, { runtimeInSeconds: -2 }), 'invalid_field', 'bad.json: workflow.tasks[0].runtimeInSeconds: must be >= 0, got -2'],
    ['unknown parent', withTask(1, { parents: ['ID9'] }), 'unknown_parent', 'bad.json: workflow.tasks[1].parents[0]: names no task id or name: "ID9"'],
    ['duplicate id', withTask(1, { id: 'ID1' }), 'duplicate_task', 'bad.json: workflow.tasks[1].id: duplicate task id "ID1"'],
    ['bad file link', withTask(1, { files: [{ link: 'inout', name: 'f' }] }), 'invalid_field', 'bad.json: workflow.tasks[1].files[0].link: must be "input" or "output", got "inout"'],
    ['cycle', withTask(0, { parents: ['ID3'] }), 'cycle', 'bad.json: workflow.tasks[].parents: dependency cycle ID1 -> ID3 -> ID1'],
  ])('%s', (_, d, code, message) => {
    let caught: unknown;
    try {
      parseWfFormat(d, 'bad.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WfFormatError);
    expect((caught as WfFormatError).code).toBe(code);
    expect((caught as WfFormatError).message).toBe(message);
  });

  it('bad machine core count names the field', () => {
    const d = doc14();
    (d['workflow'] as { machines: Doc[] }).machines = [{ nodeName: 'n1', cpu: { count: 0 } }];
    expect(() => parseWfFormat(d, 'm.json')).toThrow('m.json: workflow.machines[0].cpu.count: must be >= 1, got 0');
  });

  it('invalid JSON text names the file', () => {
    expect(() => parseWfFormatText('{"workflow": ', 'broken.json')).toThrow(/^broken\.json: \(document\): /);
  });
});

describe('parseWfFormat (specification / execution split)', () => {
  const split: Doc = {
    schemaVersion: '1.5',
    workflow: {
      specification: {
        tasks: [
          { id: 't1', name: 't1', parents: [], outputFiles: ['f1'] },
          { id: 't2', name: 't2', parents: ['t1'], inputFiles: ['f1'] },
        ],
        files: [{ id: 'f1', sizeInBytes: 64 }],
      },
      execution: {
        makespanInSeconds: 9,
        machines: [{ nodeName: 'h', cpu: { coreCount: 8 } }],
        tasks: [
          { id: 't1', runtimeInSeconds: 2 },
          { id: 't2', runtimeInSeconds: 4, avgCPU: 100 },
        ],
      },
    },
  };

  it('joins structure and measurements by task id', () => {
    const wf = parseWfFormat(split, 's.json');
    expect(wf.dag.durations).toEqual([2, 4]);
    expect(wf.dag.preds[1]).toEqual([0]);
    expect(wf.edgeBytes(0, 1)).toBe(64);
    expect(wf.machines[0].cores).toBe(8);
    expect(wf.makespanInSeconds).toBe(9);
  });

  it('a task without a measurement is reported', () => {
    const d = JSON.parse(JSON.stringify(split)) as { workflow: { execution: { tasks: Doc[] } } };
    d.workflow.execution.tasks.pop();
    expect(() => parseWfFormat(d, 's.json')).toThrow('s.json: workflow.execution.tasks: has no entry for task "t2"');
  });
});

describe('zero-runtime tasks (Pegasus records runtimeInSeconds: 0 for instant tasks)', () => {
  // A 5 s task and an independent instant marker on one core: insertion puts the marker at [0, 0], in the gap
  // before [0, 5]. The old overlap check sorted by start only, saw [0, 5] first and reported an overlap.
  const doc: Doc = {
    name: 'zero',
    schemaVersion: '1.4',
    workflow: {
      machines: [{ nodeName: 'n1', cpu: { count: 1 } }],
      tasks: [
        { id: 'long', name: 'long', parents: [], runtimeInSeconds: 5, files: [{ link: 'output', name: 'x', sizeInBytes: 10 }] },
        { id: 'marker', name: 'marker', parents: [], runtimeInSeconds: 0, files: [] },
        { id: 'after', name: 'after', parents: ['long'], runtimeInSeconds: 0, files: [{ link: 'input', name: 'x', sizeInBytes: 10 }] },
      ],
    },
  };

  it('parses: zero is a valid runtime', () => {
    expect(parseWfFormat(doc, 'zero.json').dag.durations).toEqual([5, 0, 0]);
  });

  it('HEFT and the rollout schedule it validly, instants beside the long task on the same core', () => {
    const wf = parseWfFormat(doc, 'zero.json');
    const cp = compileDagProblem({ dag: wf.dag, machines: clusterFromWorkflow(wf), edgeBytes: wf.edgeBytes, bandwidth: 1 });
    const heft = heftSchedule(cp);
    expect(heft.tasks.map((t) => [t.task, t.start, t.finish])).toEqual([['long', 0, 5], ['marker', 0, 0], ['after', 5, 5]]);
    expect(validateDagSchedule(cp, heft)).toEqual([]);
    const rollout = rolloutSchedule(cp).schedule;
    expect(rollout.makespan).toBe(5);
    expect(validateDagSchedule(cp, rollout)).toEqual([]);
  });
});

import { DagCycleError, DagError } from './dag.errors';
import { DagTaskSpec, buildDag, inferFileEdges, topologicalOrder } from './dag.model';

const edgesOf = (specs: DagTaskSpec[], infer = true): string[] =>
  buildDag(specs, { inferFromFiles: infer })
    .edges.map((e) => `${e.from}->${e.to}:${e.origin}`)
    .sort();

describe('inferFileEdges', () => {
  it.each<[string, DagTaskSpec[], string[]]>([
    ['output consumed by another task', [{ id: 'a', outputs: ['x'] }, { id: 'b', inputs: ['x'] }], ['a->b[x]']],
    ['one producer, two consumers', [{ id: 'a', outputs: ['x'] }, { id: 'b', inputs: ['x'] }, { id: 'c', inputs: ['x', 'y'] }], ['a->b[x]', 'a->c[x]']],
    ['two files on one pair are one edge', [{ id: 'a', outputs: ['x', 'y'] }, { id: 'b', inputs: ['y', 'x'] }], ['a->b[y,x]']],
    ['staged input with no producer adds nothing', [{ id: 'a', inputs: ['raw'] }, { id: 'b', inputs: ['raw'] }], []],
    ['reading your own output is not a self-edge', [{ id: 'a', inputs: ['x'], outputs: ['x'] }], []],
  ])('%s', (_, specs, expected) => {
    expect(inferFileEdges(specs).map((e) => `${e.from}->${e.to}[${e.files.join(',')}]`).sort()).toEqual(expected);
  });

  it('merges inferred with explicit edges and marks the origin', () => {
    const specs: DagTaskSpec[] = [
      { id: 'a', outputs: ['x'] },
      { id: 'b', dependsOn: ['a'], inputs: ['x'] },
      { id: 'c', dependsOn: ['b'] },
      { id: 'd', inputs: ['x'] },
    ];
    expect(edgesOf(specs)).toEqual(['a->b:both', 'a->d:file', 'b->c:explicit']);
    expect(edgesOf(specs, false)).toEqual(['a->b:explicit', 'b->c:explicit']);
  });
});

describe('buildDag validation', () => {
  it.each<[string, DagTaskSpec[], string]>([
    ['duplicate id', [{ id: 'a' }, { id: 'a' }], 'duplicate_task'],
    ['unknown dependency', [{ id: 'a', dependsOn: ['zz'] }], 'unknown_dependency'],
    ['self dependency', [{ id: 'a', dependsOn: ['a'] }], 'self_dependency'],
    ['negative duration', [{ id: 'a', duration: -1 }], 'invalid_duration'],
    ['NaN duration', [{ id: 'a', duration: Number.NaN }], 'invalid_duration'],
  ])('%s -> %s', (_, specs, code) => {
    expect(() => buildDag(specs)).toThrow(DagError);
    try {
      buildDag(specs);
    } catch (err) {
      expect((err as DagError).code).toBe(code);
    }
  });
});

describe('cycle detection', () => {
  const cycleOf = (specs: DagTaskSpec[]): readonly string[] => {
    try {
      buildDag(specs);
    } catch (err) {
      if (err instanceof DagCycleError) return err.cycle;
      throw err;
    }
    throw new Error('expected a cycle');
  };

  it('reports the explicit cycle in edge order, first node repeated', () => {
    const cycle = cycleOf([{ id: 'start' }, { id: 'a', dependsOn: ['start', 'c'] }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }]);
    expect(cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('reports a cycle created only by file inference', () => {
    const err = (() => {
      try {
        buildDag([
          { id: 'p', inputs: ['q.out'], outputs: ['p.out'] },
          { id: 'q', inputs: ['p.out'], outputs: ['q.out'] },
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DagCycleError);
    expect((err as DagCycleError).code).toBe('cycle');
    expect((err as DagCycleError).cycle).toEqual(['p', 'q', 'p']);
    expect((err as DagCycleError).message).toBe('dependency cycle: p -> q -> p');
  });

  it('every consecutive pair of the reported cycle is an edge', () => {
    const specs: DagTaskSpec[] = [
      { id: 'x1', dependsOn: ['x5'] },
      { id: 'x2', dependsOn: ['x1'] },
      { id: 'x3', dependsOn: ['x2'] },
      { id: 'x4', dependsOn: ['x3', 'x1'] },
      { id: 'x5', dependsOn: ['x4'] },
    ];
    const cycle = cycleOf(specs);
    const deps = new Map(specs.map((s) => [s.id, s.dependsOn ?? []]));
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    for (let i = 0; i + 1 < cycle.length; i++) expect(deps.get(cycle[i + 1])).toContain(cycle[i]);
  });
});

describe('topologicalOrder', () => {
  it('puts every task after its dependencies, ties in submission order', () => {
    const dag = buildDag([{ id: 'd', dependsOn: ['b', 'c'] }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['a'] }, { id: 'a' }]);
    expect(topologicalOrder(dag)).toEqual(['a', 'b', 'c', 'd']);
  });
});

import { criticalPath, transitiveReduction } from './dag.analysis';
import { DagTaskSpec, buildDag } from './dag.model';

describe('transitiveReduction', () => {
  it.each<[string, DagTaskSpec[], string[]]>([
    ['shortcut over a chain', [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['a', 'b'] }], ['a->c']],
    [
      'long shortcut over a diamond',
      [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['a'] }, { id: 'd', dependsOn: ['b', 'c', 'a'] }, { id: 'e', dependsOn: ['d', 'a'] }],
      ['a->d', 'a->e'],
    ],
    ['diamond has nothing to remove', [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['a'] }, { id: 'd', dependsOn: ['b', 'c'] }], []],
  ])('%s', (_, specs, removed) => {
    const dag = buildDag(specs);
    const red = transitiveReduction(dag);
    expect(red.removed.map((e) => `${e.from}->${e.to}`).sort()).toEqual(removed);
    expect(red.dag.edges.length).toBe(dag.edges.length - removed.length);
  });

  it('keeps reachability (same transitive closure)', () => {
    const specs: DagTaskSpec[] = [];
    for (let i = 0; i < 40; i++) specs.push({ id: `t${i}`, dependsOn: [...new Set([i - 1, i - 3, Math.floor(i / 2) - 1].filter((j) => j >= 0 && j < i))].map((j) => `t${j}`) });
    const dag = buildDag(specs);
    const red = transitiveReduction(dag);
    const closure = (d: typeof dag): string[] => {
      const out: string[] = [];
      for (let u = 0; u < d.ids.length; u++) {
        const seen = new Set<number>();
        const st = [u];
        while (st.length) for (const v of d.succs[st.pop() as number]) if (!seen.has(v)) (seen.add(v), st.push(v));
        for (const v of seen) out.push(`${u}>${v}`);
      }
      return out.sort();
    };
    expect(closure(red.dag)).toEqual(closure(dag));
    expect(red.removed.length).toBeGreaterThan(0);
  });
});

describe('criticalPath', () => {
  it('follows the longest duration path', () => {
    const dag = buildDag([
      { id: 'a', duration: 2 },
      { id: 'b', duration: 5, dependsOn: ['a'] },
      { id: 'c', duration: 1, dependsOn: ['a'] },
      { id: 'd', duration: 3, dependsOn: ['b', 'c'] },
      { id: 'e', duration: 9 },
    ]);
    const cp = criticalPath(dag);
    expect(cp.length).toBe(10);
    expect(cp.path).toEqual(['a', 'b', 'd']);
    expect(cp.earliestStart).toEqual([0, 2, 2, 7, 0]);
  });

  it('a single long independent task can be the critical path', () => {
    const dag = buildDag([{ id: 'a', duration: 2 }, { id: 'b', duration: 1, dependsOn: ['a'] }, { id: 'z', duration: 4 }]);
    expect(criticalPath(dag)).toMatchObject({ length: 4, path: ['z'] });
  });

  it('accepts overriding durations', () => {
    const dag = buildDag([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }]);
    expect(criticalPath(dag, [1.5, 2]).length).toBe(3.5);
  });
});

import { workflowOf } from './workflows.bench';

describe('workflowOf', () => {
  it.each([
    ['chain', 5, 4],
    ['fan', 6, 4 + 4],
    ['layers', 20, 18 * 2],
  ] as const)('%s of %i tasks has %i dependency edges, all to earlier tasks', (kind, n, edges) => {
    const w = workflowOf(kind, n);
    expect(w).toHaveLength(n);
    expect(new Set(w.map((t) => t.key)).size).toBe(n);
    expect(w.reduce((e, t) => e + t.dependsOn.length, 0)).toBe(edges);
    const index = new Map(w.map((t, i) => [t.key, i]));
    w.forEach((t, i) => t.dependsOn.forEach((d) => expect(index.get(d)!).toBeLessThan(i)));
  });
});

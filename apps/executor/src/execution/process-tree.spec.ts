import { parentFromStat, processTree, sumTrees } from './process-tree';

describe('process trees', () => {
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10],
    [20, 1],
    [21, 20],
  ]);

  it('collects the root and every descendant, not siblings', () => {
    expect(processTree(10, parents).sort()).toEqual([10, 11, 12, 13]);
    expect(processTree(20, parents).sort()).toEqual([20, 21]);
    expect(processTree(99, parents)).toEqual([99]);
  });

  it('tolerates a cycle in stale data', () => {
    expect(processTree(5, new Map([[5, 6], [6, 5]])).sort()).toEqual([5, 6]);
  });

  it('reads the parent pid after the command name, which may hold spaces and parentheses', () => {
    expect(parentFromStat('1234 (my (odd) cmd) S 77 1234 1234 0 -1 4194560')).toBe(77);
    expect(parentFromStat('garbage')).toBeNull();
  });

  it('sums usage per tree; a tree with no sampled member is absent', () => {
    const usage = new Map([
      [10, { cpu: 0, memory: 1 }],
      [12, { cpu: 95, memory: 10 }],
      [21, { cpu: 5, memory: 2 }],
    ]);
    expect(sumTrees(new Map([[10, [10, 11, 12, 13]], [20, [20, 21]], [30, [30]]]), usage)).toEqual(
      new Map([
        [10, { cpu: 95, memory: 11 }],
        [20, { cpu: 5, memory: 2 }],
      ]),
    );
  });
});

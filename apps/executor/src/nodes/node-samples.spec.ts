import type { LocalNode } from './local-nodes';
import { nodeSamples } from './node-samples';

const node = (id: string, cpuMillis: number): LocalNode => ({ id, cpuMillis, memMb: 8192, usedCpu: 0, usedMem: 0, running: 0, cordoned: false });

describe('nodeSamples', () => {
  it('sums the running attempts per node and scales CPU to the node capacity; idle nodes report zeros', () => {
    const samples = nodeSamples(
      [node('a', 4000), node('b', 2000), node('idle', 1000)],
      [
        { nodeId: 'a', cpuPercent: 100, memMb: 50 },
        { nodeId: 'a', cpuPercent: 300, memMb: 25 },
        { nodeId: 'b', cpuPercent: 50, memMb: 10 },
        { nodeId: 'elsewhere', cpuPercent: 999, memMb: 999 },
      ],
    );
    expect(samples).toEqual([
      { nodeId: 'a', cpuPercent: 100, memMb: 75 },
      { nodeId: 'b', cpuPercent: 25, memMb: 10 },
      { nodeId: 'idle', cpuPercent: 0, memMb: 0 },
    ]);
  });
});

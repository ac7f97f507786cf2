import type { LocalNode } from './local-nodes';

/** One running attempt's measured use (pidusage): cpu in percent of one core, memory in MB. */
export interface TaskUsage {
  nodeId: string;
  cpuPercent: number;
  memMb: number;
}

export interface NodeSample {
  nodeId: string;
  /** Percent of the node's CPU capacity (100 = every core it declares busy). */
  cpuPercent: number;
  memMb: number;
}

/**
 * A node's measured load = the sum of what its running attempts use, CPU scaled to the node's declared
 * capacity. Every node gets a sample each round, idle ones with zeros, so the analyzer's series have no
 * gaps (a gap would read as "no data" to the rules, not as "idle").
 */
export function nodeSamples(nodes: readonly LocalNode[], usage: readonly TaskUsage[]): NodeSample[] {
  const sums = new Map(nodes.map((n) => [n.id, { cpu: 0, mem: 0 }]));
  for (const u of usage) {
    const s = sums.get(u.nodeId);
    if (!s) continue;
    s.cpu += u.cpuPercent;
    s.mem += u.memMb;
  }
  return nodes.map((n) => {
    const s = sums.get(n.id)!;
    const cores = n.cpuMillis / 1000;
    return { nodeId: n.id, cpuPercent: cores > 0 ? s.cpu / cores : 0, memMb: s.mem };
  });
}

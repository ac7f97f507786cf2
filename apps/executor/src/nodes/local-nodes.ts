import { cpus, totalmem } from 'node:os';
import type { ResourceRequest } from '@kairos/contracts';

export interface LocalNode {
  id: string;
  cpuMillis: number;
  memMb: number;
  usedCpu: number;
  usedMem: number;
  running: number;
  /** Cordoned nodes take no new work (a repair action or an operator). */
  cordoned: boolean;
}

/** Parses EXECUTOR_NODES (name:cpuMillis:memMb,…) or sizes one node from this host. */
export function localNodesFromConfig(spec: string | undefined, executorId: string): LocalNode[] {
  if (!spec) {
    return [{ id: `${executorId}-n0`, cpuMillis: cpus().length * 1000, memMb: Math.floor(totalmem() / 2 ** 20), usedCpu: 0, usedMem: 0, running: 0, cordoned: false }];
  }
  return spec.split(',').map((part) => {
    const [name, cpu, mem] = part.split(':');
    return { id: name, cpuMillis: Number(cpu), memMb: Number(mem), usedCpu: 0, usedMem: 0, running: 0, cordoned: false };
  });
}

export function fits(node: LocalNode, r: ResourceRequest, maxRunning: number): boolean {
  return !node.cordoned && node.running < maxRunning && node.usedCpu + r.cpuMillis <= node.cpuMillis && node.usedMem + r.memMb <= node.memMb;
}

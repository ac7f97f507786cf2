import { cpus, totalmem } from 'node:os';
import { ConfigError } from '@kairos/platform';

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
  const seen = new Set<string>();
  return spec.split(',').map((part, i) => {
    const [name, cpu, mem, ...rest] = part.trim().split(':');
    const cpuMillis = Number(cpu);
    const memMb = Number(mem);
    const where = `EXECUTOR_NODES entry ${i + 1} ("${part}")`;
    if (rest.length > 0 || !name || !/^[A-Za-z0-9._-]+$/.test(name)) throw new ConfigError(`${where}: expected name:cpuMillis:memMb with a name of letters, digits, . _ -`);
    if (!Number.isInteger(cpuMillis) || cpuMillis <= 0) throw new ConfigError(`${where}: cpuMillis must be a positive integer, got "${cpu}"`);
    if (!Number.isInteger(memMb) || memMb <= 0) throw new ConfigError(`${where}: memMb must be a positive integer, got "${mem}"`);
    if (seen.has(name)) throw new ConfigError(`${where}: node name "${name}" is listed twice`);
    seen.add(name);
    return { id: name, cpuMillis, memMb, usedCpu: 0, usedMem: 0, running: 0, cordoned: false };
  });
}

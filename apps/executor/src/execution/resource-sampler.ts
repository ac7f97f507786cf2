import { Injectable } from '@nestjs/common';
import pidusage from 'pidusage';

export const RESOURCE_SAMPLER = Symbol('RESOURCE_SAMPLER');

/** CPU (percent of one core) and memory (bytes) of a process. */
export interface ProcessUsage {
  cpu: number;
  memory: number;
}

/** Samples the resource use of running task processes (pidusage). */
export interface ResourceSampler {
  /** Usage of each pid still alive; a failed sample is an empty answer. */
  sample(pids: number[]): Promise<Map<number, ProcessUsage>>;
  close(): void;
}

@Injectable()
export class PidusageSampler implements ResourceSampler {
  async sample(pids: number[]): Promise<Map<number, ProcessUsage>> {
    if (!pids.length) return new Map();
    const stats = await pidusage(pids).catch(() => ({}) as Record<string, pidusage.Status>);
    const out = new Map<number, ProcessUsage>();
    for (const pid of pids) {
      const s = stats[pid];
      if (s) out.set(pid, { cpu: s.cpu, memory: s.memory });
    }
    return out;
  }

  close(): void {
    pidusage.clear();
  }
}

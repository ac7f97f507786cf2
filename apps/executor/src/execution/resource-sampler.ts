import { readdir, readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import pidusage from 'pidusage';
import { parentFromStat, processTree, sumTrees } from './process-tree';

export const RESOURCE_SAMPLER = Symbol('RESOURCE_SAMPLER');

/** CPU (percent of one core) and memory (bytes) of a process. */
export interface ProcessUsage {
  cpu: number;
  memory: number;
}

/** Samples the resource use of running task processes. */
export interface ResourceSampler {
  /** Usage of each pid still alive, summed over its whole process tree; a failed sample is an empty answer. */
  sample(pids: number[]): Promise<Map<number, ProcessUsage>>;
  close(): void;
}

/** pid → parent pid of every live process (Linux /proc); empty elsewhere, so only the roots are sampled. */
export async function readParents(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        try {
          const ppid = parentFromStat(await readFile(`/proc/${e}/stat`, 'utf8'));
          if (ppid !== null) out.set(Number(e), ppid);
        } catch {
          /* exited meanwhile */
        }
      }),
  );
  return out;
}

/** pidusage over each task's whole process tree (children of `sh -c`, `timeout`, `npm run` …), summed per task. */
@Injectable()
export class PidusageSampler implements ResourceSampler {
  async sample(pids: number[]): Promise<Map<number, ProcessUsage>> {
    if (!pids.length) return new Map();
    const parents = await readParents();
    const trees = new Map(pids.map((p) => [p, processTree(p, parents)]));
    const all = [...new Set([...trees.values()].flat())];
    const stats = await pidusage(all).catch(() => ({}) as Record<string, pidusage.Status>);
    const usage = new Map<number, ProcessUsage>();
    for (const pid of all) {
      const s = stats[pid];
      if (s) usage.set(pid, { cpu: s.cpu, memory: s.memory });
    }
    return sumTrees(trees, usage);
  }

  close(): void {
    pidusage.clear();
  }
}

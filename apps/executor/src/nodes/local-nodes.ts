import { cpus, totalmem } from 'node:os';
import { ConfigError } from '@kairos/platform';

/** The GPUs a node declares: device indices as CUDA numbers them on the host, and one model name. */
export interface NodeGpus {
  readonly model: string | null;
  /** Distinct, ascending; what CUDA_VISIBLE_DEVICES lists for a task given them. */
  readonly devices: readonly number[];
}

export interface LocalNode {
  id: string;
  cpuMillis: number;
  memMb: number;
  usedCpu: number;
  usedMem: number;
  running: number;
  /** Cordoned nodes take no new work (a repair action or an operator). */
  cordoned: boolean;
  /** Absent: the node has no GPU. */
  gpus?: NodeGpus;
}

const NAME = /^[A-Za-z0-9._-]+$/;
const GPU_MODEL = /^[A-Za-z0-9._-]+$/;
/** Most GPUs one node may declare (the request schema allows up to 64 per task). */
export const MAX_NODE_GPUS = 64;

/**
 * Parses EXECUTOR_NODES or sizes one node from this host. Each comma-separated entry is
 *   name:cpuMillis:memMb[:gpus[:model]]
 * where gpus is a count N (devices 0..N-1) or an inclusive device range i-j (devices i..j, for
 * several nodes sharing one host's GPUs), and model a label such as A100-80GB. Examples:
 *   a:16000:65536            no GPU
 *   a:16000:65536:2:A100     devices 0 and 1
 *   a:8000:32768:0-1,b:8000:32768:2-3:H100   one host's four GPUs split over two nodes
 */
export function localNodesFromConfig(spec: string | undefined, executorId: string): LocalNode[] {
  if (!spec) {
    return [{ id: `${executorId}-n0`, cpuMillis: cpus().length * 1000, memMb: Math.floor(totalmem() / 2 ** 20), usedCpu: 0, usedMem: 0, running: 0, cordoned: false }];
  }
  const seen = new Set<string>();
  const devicesSeen = new Map<number, string>();
  return spec.split(',').map((part, i) => {
    const [name, cpu, mem, gpu, model, ...rest] = part.trim().split(':');
    const cpuMillis = Number(cpu);
    const memMb = Number(mem);
    const where = `EXECUTOR_NODES entry ${i + 1} ("${part}")`;
    if (rest.length > 0 || !name || !NAME.test(name)) throw new ConfigError(`${where}: expected name:cpuMillis:memMb[:gpus[:model]] with a name of letters, digits, . _ -`);
    if (!Number.isInteger(cpuMillis) || cpuMillis <= 0) throw new ConfigError(`${where}: cpuMillis must be a positive integer, got "${cpu}"`);
    if (!Number.isInteger(memMb) || memMb <= 0) throw new ConfigError(`${where}: memMb must be a positive integer, got "${mem}"`);
    if (seen.has(name)) throw new ConfigError(`${where}: node name "${name}" is listed twice`);
    seen.add(name);
    const node: LocalNode = { id: name, cpuMillis, memMb, usedCpu: 0, usedMem: 0, running: 0, cordoned: false };
    if (gpu === undefined) return node;
    const devices = parseGpuDevices(gpu, where);
    if (model !== undefined && !GPU_MODEL.test(model)) throw new ConfigError(`${where}: GPU model must be letters, digits, . _ -, got "${model}"`);
    for (const d of devices) {
      const other = devicesSeen.get(d);
      if (other !== undefined) throw new ConfigError(`${where}: GPU device ${d} is already given to node "${other}"`);
      devicesSeen.set(d, name);
    }
    if (devices.length === 0) return model === undefined ? node : bad(`${where}: a GPU model needs at least one GPU`);
    return { ...node, gpus: { model: model ?? null, devices } };
  });
}

function parseGpuDevices(text: string, where: string): number[] {
  const count = /^\d+$/.exec(text);
  if (count) {
    const n = Number(text);
    if (n > MAX_NODE_GPUS) bad(`${where}: at most ${MAX_NODE_GPUS} GPUs per node, got ${n}`);
    return Array.from({ length: n }, (_, k) => k);
  }
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (!range) return bad(`${where}: gpus must be a count (2) or a device range (0-3), got "${text}"`);
  const [from, to] = [Number(range[1]), Number(range[2])];
  if (from > to) bad(`${where}: GPU range ${text} runs backwards`);
  if (to - from + 1 > MAX_NODE_GPUS) bad(`${where}: at most ${MAX_NODE_GPUS} GPUs per node, got ${to - from + 1}`);
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

function bad(message: string): never {
  throw new ConfigError(message);
}

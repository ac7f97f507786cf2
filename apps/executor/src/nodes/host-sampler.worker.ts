import { parentPort } from 'node:worker_threads';
import si from 'systeminformation';
import type { HostSnapshot } from './host-metrics';

/**
 * The host sampler's thread: systeminformation reads /proc and /sys and, for file systems and network
 * interfaces, runs commands with execSync — 100–130 ms of a blocked event loop every sample on the executor's
 * thread (seen in the schedules bench's CPU profile as start delays). Here it blocks only this thread.
 */
export type SamplerRequest = { id: number; op: 'snapshot' | 'interfaces' };
export type SamplerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

async function snapshot(): Promise<HostSnapshot> {
  const [load, mem, fs, net] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*')]);
  return {
    cpuPercent: load.currentLoad,
    memUsedBytes: mem.active,
    memTotalBytes: mem.total,
    disks: fs.map((d) => ({ mount: d.mount, usedBytes: d.used, sizeBytes: d.size, usedPercent: d.use })),
    net: net.map((n) => ({ iface: n.iface, rxBytesPerSec: n.rx_sec ?? null, txBytesPerSec: n.tx_sec ?? null })),
  };
}

async function interfaces(): Promise<Array<{ iface: string; speedMbps: number | null }>> {
  const list = await si.networkInterfaces();
  return (Array.isArray(list) ? list : [list]).map((i) => ({ iface: i.iface, speedMbps: i.speed ?? null }));
}

const port = parentPort;
port?.on('message', (req: SamplerRequest) => {
  (req.op === 'snapshot' ? snapshot() : interfaces()).then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies SamplerReply),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies SamplerReply),
  );
});

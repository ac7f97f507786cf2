import { Injectable } from '@nestjs/common';
import si from 'systeminformation';
import type { HostSnapshot } from './host-metrics';

export const HOST_SAMPLER = Symbol('HOST_SAMPLER');

/** The host this executor runs on: CPU, memory, file systems and network interfaces. */
export interface HostSampler {
  snapshot(): Promise<HostSnapshot>;
  /** Interfaces and their reported speed (Mbit/s; null when unknown, e.g. loopback). */
  interfaces(): Promise<Array<{ iface: string; speedMbps: number | null }>>;
}

/** systeminformation (Linux: /proc and /sys). Network rates are per second since the previous call. */
@Injectable()
export class SystemInformationHostSampler implements HostSampler {
  async snapshot(): Promise<HostSnapshot> {
    const [load, mem, fs, net] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*')]);
    return {
      cpuPercent: load.currentLoad,
      memUsedBytes: mem.active,
      memTotalBytes: mem.total,
      disks: fs.map((d) => ({ mount: d.mount, usedBytes: d.used, sizeBytes: d.size, usedPercent: d.use })),
      net: net.map((n) => ({ iface: n.iface, rxBytesPerSec: n.rx_sec ?? null, txBytesPerSec: n.tx_sec ?? null })),
    };
  }

  async interfaces(): Promise<Array<{ iface: string; speedMbps: number | null }>> {
    const list = await si.networkInterfaces();
    return (Array.isArray(list) ? list : [list]).map((i) => ({ iface: i.iface, speedMbps: i.speed ?? null }));
  }
}

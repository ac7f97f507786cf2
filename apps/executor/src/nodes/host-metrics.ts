/**
 * Pure parts of the node agent: a host snapshot (systeminformation) turned into metrics.batch.v1
 * points, and network utilisation in percent of the interface capacity.
 */
export interface HostSnapshot {
  /** Whole-host CPU busy, percent of all cores. */
  cpuPercent: number;
  memUsedBytes: number;
  memTotalBytes: number;
  disks: Array<{ mount: string; usedBytes: number; sizeBytes: number; usedPercent: number }>;
  /** Bytes per second since the previous snapshot; null on the first one. */
  net: Array<{ iface: string; rxBytesPerSec: number | null; txBytesPerSec: number | null }>;
}

export interface HostPoint {
  metric: string;
  value: number;
  unit: string;
  ts: string;
  labels: Record<string, string>;
}

/** The points of one snapshot; every point labelled with the executor (host) id. */
export function hostPoints(s: HostSnapshot, host: string, ts: string): HostPoint[] {
  const p = (metric: string, value: number, unit: string, labels: Record<string, string> = {}): HostPoint => ({ metric, value, unit, ts, labels: { host, ...labels } });
  const out = [p('host.cpu.percent', s.cpuPercent, 'percent'), p('host.mem.used_bytes', s.memUsedBytes, 'bytes'), p('host.mem.total_bytes', s.memTotalBytes, 'bytes')];
  for (const d of s.disks) {
    out.push(p('host.disk.used_bytes', d.usedBytes, 'bytes', { mount: d.mount }), p('host.disk.used_percent', d.usedPercent, 'percent', { mount: d.mount }));
  }
  for (const n of s.net) {
    if (n.rxBytesPerSec !== null) out.push(p('host.net.rx_bytes_per_sec', n.rxBytesPerSec, 'bytes/s', { iface: n.iface }));
    if (n.txBytesPerSec !== null) out.push(p('host.net.tx_bytes_per_sec', n.txBytesPerSec, 'bytes/s', { iface: n.iface }));
  }
  return out.filter((x) => Number.isFinite(x.value));
}

/**
 * Network utilisation of the host: the busiest direction of the busiest interface, in percent of
 * its capacity (links are full duplex: receive and send each have the whole capacity). Interfaces
 * without a capacity, or without a rate yet, are skipped; null when none is left.
 */
export function netPercent(net: HostSnapshot['net'], capacityBytesPerSec: ReadonlyMap<string, number>): number | null {
  let best: number | null = null;
  for (const n of net) {
    const cap = capacityBytesPerSec.get(n.iface);
    if (!cap || cap <= 0 || n.rxBytesPerSec === null || n.txBytesPerSec === null) continue;
    const pct = (Math.max(n.rxBytesPerSec, n.txBytesPerSec) / cap) * 100;
    best = best === null ? pct : Math.max(best, pct);
  }
  return best;
}

/**
 * Capacity per interface: NODE_NET_CAPACITY_MBPS for every interface of NODE_NET_INTERFACES when set,
 * else the speed the interface reports (Mbit/s; loopback and virtual ones report none).
 */
export function interfaceCapacities(reported: ReadonlyArray<{ iface: string; speedMbps: number | null }>, configuredMbps: number | undefined, only: readonly string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const names = only ?? reported.map((r) => r.iface);
  for (const iface of names) {
    const speed = configuredMbps ?? reported.find((r) => r.iface === iface)?.speedMbps ?? null;
    if (speed !== null && speed > 0) out.set(iface, (speed * 1_000_000) / 8);
  }
  return out;
}

import { InProcessEventBus } from '@kairos/bus';
import { validateMetricPoint, type Envelope } from '@kairos/contracts';
import { FakeClock, testIdentity } from '@kairos/testing';
import type { ExecutorSettings } from '../core/executor-settings';
import { hostPoints, interfaceCapacities, netPercent, type HostSnapshot } from './host-metrics';
import type { HostSampler } from './host-sampler';
import { NodeAgentService } from './node-agent.service';

const snap = (net: HostSnapshot['net']): HostSnapshot => ({
  cpuPercent: 37.5,
  memUsedBytes: 2e9,
  memTotalBytes: 8e9,
  disks: [{ mount: '/', usedBytes: 1e10, sizeBytes: 4e10, usedPercent: 25 }],
  net,
});

describe('host metrics', () => {
  it('turns a snapshot into labelled points, skipping rates not known yet', () => {
    const pts = hostPoints(snap([{ iface: 'eth0', rxBytesPerSec: null, txBytesPerSec: null }, { iface: 'lo', rxBytesPerSec: 10, txBytesPerSec: 12 }]), 'exec-1', '2026-11-30T00:00:00.000Z');
    expect(pts.map((p) => [p.metric, p.value, p.labels])).toEqual([
      ['host.cpu.percent', 37.5, { host: 'exec-1' }],
      ['host.mem.used_bytes', 2e9, { host: 'exec-1' }],
      ['host.mem.total_bytes', 8e9, { host: 'exec-1' }],
      ['host.disk.used_bytes', 1e10, { host: 'exec-1', mount: '/' }],
      ['host.disk.used_percent', 25, { host: 'exec-1', mount: '/' }],
      ['host.net.rx_bytes_per_sec', 10, { host: 'exec-1', iface: 'lo' }],
      ['host.net.tx_bytes_per_sec', 12, { host: 'exec-1', iface: 'lo' }],
    ]);
  });

  it('netPercent: busiest direction of the busiest interface with a capacity', () => {
    const caps = new Map([
      ['eth0', 1_000_000],
      ['lo', 10_000_000],
    ]);
    expect(netPercent([{ iface: 'eth0', rxBytesPerSec: 200_000, txBytesPerSec: 900_000 }, { iface: 'lo', rxBytesPerSec: 5_000_000, txBytesPerSec: 5_000_000 }], caps)).toBeCloseTo(90);
    expect(netPercent([{ iface: 'wlan0', rxBytesPerSec: 1, txBytesPerSec: 1 }], caps)).toBeNull();
    expect(netPercent([{ iface: 'eth0', rxBytesPerSec: null, txBytesPerSec: null }], caps)).toBeNull();
  });

  it('capacities: configured Mbit/s for the chosen interfaces, else the reported speed', () => {
    const reported = [
      { iface: 'eth0', speedMbps: 1000 },
      { iface: 'lo', speedMbps: null },
    ];
    expect(interfaceCapacities(reported, undefined, undefined)).toEqual(new Map([['eth0', 125_000_000]]));
    expect(interfaceCapacities(reported, 80, ['lo'])).toEqual(new Map([['lo', 10_000_000]]));
  });
});

describe('NodeAgentService', () => {
  it('publishes valid metrics.batch.v1 points and keeps the latest netPercent', async () => {
    const bus = new InProcessEventBus();
    const got: Array<Envelope<'metrics.batch.v1'>> = [];
    await bus.subscribe('metrics.batch.v1', { group: 't' }, async (e) => void got.push(e));
    await bus.start();
    let rate: number | null = null;
    const sampler: HostSampler = {
      snapshot: async () => snap([{ iface: 'lo', rxBytesPerSec: rate, txBytesPerSec: rate }]),
      interfaces: async () => [{ iface: 'lo', speedMbps: null }],
    };
    const clock = new FakeClock(Date.parse('2026-11-30T00:00:00Z'));
    const agent = new NodeAgentService(
      sampler,
      bus,
      clock,
      { executorId: 'exec-1' } as ExecutorSettings,
      { NODE_AGENT_SAMPLE_MS: 0, NODE_NET_CAPACITY_MBPS: 80, NODE_NET_INTERFACES: ['lo'] },
      testIdentity('executor'),
    );
    await agent.sampleOnce();
    expect(agent.latestNetPercent()).toBeNull();
    rate = 9_000_000;
    const pts = await agent.sampleOnce();
    expect(agent.latestNetPercent()).toBeCloseTo(90);
    expect(pts.find((p) => p.metric === 'host.net.percent')?.value).toBeCloseTo(90);
    await bus.drain();
    expect(got).toHaveLength(2);
    expect(got[1].payload.source).toBe('executor:exec-1');
    const window = { nowMs: clock.now(), maxAgeMs: 86_400_000, maxFutureMs: 0 };
    expect(got[1].payload.points.every((p, i) => validateMetricPoint(p, i, window).ok)).toBe(true);
    await bus.close();
  });
});

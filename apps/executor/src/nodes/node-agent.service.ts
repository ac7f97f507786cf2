import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@kairos/bus';
import { makeEnvelope, METRICS_BATCH_LIMITS } from '@kairos/contracts';
import { CLOCK, type Clock, type KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, type AppIdentity } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { hostPoints, interfaceCapacities, netPercent, type HostPoint } from './host-metrics';
import { HOST_SAMPLER, type HostSampler } from './host-sampler';

export const NODE_AGENT = Symbol('NODE_AGENT');

/** What the scheduling loop reads from the agent for its node samples. */
export interface NodeAgent {
  /** The host's latest network utilisation (percent), or null before the second sample or without a capacity. */
  latestNetPercent(): number | null;
}

/**
 * The node agent: samples the host (CPU, memory, disks, network) every NODE_AGENT_SAMPLE_MS and
 * publishes the points on metrics.batch.v1 (source = this executor), and keeps the network
 * utilisation that node samples carry as netPercent (the seeded network-bottleneck rule reads it).
 */
@Injectable()
export class NodeAgentService implements NodeAgent, OnApplicationBootstrap, BeforeApplicationShutdown {
  private latest: number | null = null;
  private capacities: Map<string, number> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(HOST_SAMPLER) private readonly host: HostSampler,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EXECUTOR_SETTINGS) private readonly settings: ExecutorSettings,
    @Inject(CONFIG) private readonly config: Pick<KairosConfig, 'NODE_AGENT_SAMPLE_MS' | 'NODE_NET_CAPACITY_MBPS' | 'NODE_NET_INTERFACES'>,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {}

  latestNetPercent(): number | null {
    return this.latest;
  }

  /** One round: snapshot, netPercent, publish. Returns the points published. */
  async sampleOnce(): Promise<HostPoint[]> {
    this.capacities ??= interfaceCapacities(await this.host.interfaces(), this.config.NODE_NET_CAPACITY_MBPS, this.config.NODE_NET_INTERFACES);
    const snap = await this.host.snapshot();
    const only = this.config.NODE_NET_INTERFACES;
    this.latest = netPercent(only ? snap.net.filter((n) => only.includes(n.iface)) : snap.net, this.capacities);
    const ts = new Date(this.clock.now()).toISOString();
    const points = hostPoints(snap, this.settings.executorId, ts);
    if (this.latest !== null) points.push({ metric: 'host.net.percent', value: this.latest, unit: 'percent', ts, labels: { host: this.settings.executorId } });
    const source = `executor:${this.settings.executorId}`;
    for (let i = 0; i < points.length; i += METRICS_BATCH_LIMITS.points) {
      await this.bus.publish(makeEnvelope('metrics.batch.v1', source, { source, points: points.slice(i, i + METRICS_BATCH_LIMITS.points) }));
    }
    return points;
  }

  onApplicationBootstrap(): void {
    const every = this.config.NODE_AGENT_SAMPLE_MS;
    if (!every) return;
    this.timer = setInterval(() => this.sampleOnce().catch((err) => this.id.logger.warn({ err }, 'node agent sample failed')), every);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

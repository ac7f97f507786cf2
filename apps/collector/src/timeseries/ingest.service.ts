import { createHash } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@kairos/bus';
import { DEAD_LETTER_TOPIC, makeEnvelope, validateMetricPoint, type Envelope, type MetricsBatchWire } from '@kairos/contracts';
import { CLOCK, type Clock, type KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, type AppIdentity } from '@kairos/runtime';
import { DAY_MS, partitionFor, partitionsNeeded, partitionsToDrop, type Partition } from './partitions';
import { timeseriesSettings, type TimeseriesSettings } from './timeseries.config';
import { TIMESERIES_REPOSITORY, type PointToStore, type TimeseriesRepository } from './timeseries.repository';

export interface IngestResult {
  /** Points new to the store. */
  stored: number;
  /** Valid points already stored (a replay or a producer retry). */
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

/** Dirty minutes taken per roll-up statement. */
const ROLLUP_CHUNK = 20_000;
const PARTITION_EVERY_MS = 3_600_000;

/** A stable UUID for (batch, point index): a replayed batch dead-letters the same point under the same event id. */
export function deadLetterId(batchEventId: string, index: number): string {
  const h = createHash('sha1').update(`${batchEventId}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * metrics.batch.v1 ingestion: validates each point, stores the valid ones (resolving once durable),
 * dead-letters each invalid one with its reason; keeps partitions ahead, drops expired ones, and
 * rolls new points up every METRICS_ROLLUP_EVERY_MS.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly settings: TimeseriesSettings;
  private timers: NodeJS.Timeout[] = [];
  private rolling: Promise<number> | null = null;

  constructor(
    @Inject(TIMESERIES_REPOSITORY) private readonly repo: TimeseriesRepository,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: KairosConfig,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {
    this.settings = timeseriesSettings(config);
  }

  /** One batch; `batchId` is the message's event id (or a request id) and names its dead letters. */
  async ingest(batchId: string, batch: MetricsBatchWire): Promise<IngestResult> {
    const window = { nowMs: this.clock.now(), maxAgeMs: this.settings.rawRetentionMs, maxFutureMs: this.settings.maxFutureMs };
    const good: PointToStore[] = [];
    const rejected: IngestResult['rejected'] = [];
    batch.points.forEach((raw, index) => {
      const v = validateMetricPoint(raw, index, window);
      if (v.ok) good.push({ source: batch.source, point: v.point, tsMs: v.tsMs });
      else rejected.push({ index, reason: v.reason });
    });
    await this.ensurePartitionsFor(good);
    const stored = await this.repo.insertPoints(good);
    if (rejected.length) {
      await this.bus.publishBatch(rejected.map((r) => this.deadLetter(batchId, batch, r.index, r.reason)));
    }
    return { stored, duplicates: good.length - stored, rejected };
  }

  private deadLetter(batchId: string, batch: MetricsBatchWire, index: number, reason: string): Envelope<'kairos.deadletter.v1'> {
    const original = Buffer.from(JSON.stringify({ batch: batchId, source: batch.source, index, point: batch.points[index] ?? null })).toString('base64');
    return makeEnvelope(
      DEAD_LETTER_TOPIC,
      'metrics.batch.v1',
      { topic: 'metrics.batch.v1', reason: `metrics.batch.v1 ${batchId}: ${reason}`, original, consumer: 'collector', failedAt: new Date(this.clock.now()).toISOString() },
      { eventId: deadLetterId(batchId, index) },
    );
  }

  private async ensurePartitionsFor(points: readonly PointToStore[]): Promise<void> {
    // Every span is a whole number of days, so the distinct days decide the partitions.
    const days = new Set(points.map((p) => Math.floor(p.tsMs / DAY_MS)));
    const parts = new Map<string, Partition>();
    for (const day of days) {
      for (const t of this.settings.tables) {
        const part = partitionFor(t, day * DAY_MS);
        parts.set(part.name, part);
      }
    }
    await this.repo.createPartitions([...parts.values()]);
  }

  /** Creates the partitions needed from now − retention to now + 2 days and drops those past retention; returns the dropped names. */
  async maintainPartitions(): Promise<string[]> {
    const now = this.clock.now();
    const dropped: string[] = [];
    for (const t of this.settings.tables) {
      await this.repo.createPartitions(partitionsNeeded(t, now, this.settings.aheadMs));
      const drop = partitionsToDrop(t, await this.repo.listPartitions(t.table), now);
      await this.repo.dropPartitions(drop);
      dropped.push(...drop);
    }
    return dropped;
  }

  /** Rolls up every dirty minute (one round at a time); returns the dirty rows consumed. */
  rollUp(): Promise<number> {
    if (!this.rolling) {
      this.rolling = (async () => {
        let total = 0;
        for (;;) {
          const n = await this.repo.rollUpDirty(ROLLUP_CHUNK);
          total += n;
          if (n < ROLLUP_CHUNK) return total;
        }
      })().finally(() => (this.rolling = null));
    }
    return this.rolling;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.maintainPartitions();
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      const t = setInterval(() => fn().catch((err) => this.id.logger.error({ err }, `${what} failed`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.settings.rollupEveryMs, 'metric roll-up', () => this.rollUp());
    every(PARTITION_EVERY_MS, 'metric partition maintenance', () => this.maintainPartitions());
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.rolling?.catch(() => undefined);
  }
}

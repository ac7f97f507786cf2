import { Test } from '@nestjs/testing';
import type { INestMicroservice } from '@nestjs/common';
import { InProcessEventBus, KairosBusServer, RethrowRpcErrorsFilter } from '@kairos/bus';
import { makeEnvelope, type Envelope } from '@kairos/contracts';
import { kairosTestCoreModule } from '@kairos/runtime';
import { FakeClock, testIdentity } from '@kairos/testing';
import { InMemoryEventLogRepository, InMemoryMetricRepository } from '../test/fakes/in-memory-metric.repository';
import { InMemoryTimeseriesRepository } from '../test/fakes/in-memory-timeseries.repository';
import { CollectorModule } from './collector.module';
import { EVENT_LOG_REPOSITORY } from './event-log/event-log.repository';
import { METRIC_REPOSITORY } from './metrics/metric.repository';
import { MetricService, ROLLUP_EVERY_MS } from './metrics/metric.service';
import { TIMESERIES_REPOSITORY } from './timeseries/timeseries.repository';

const sample = (nodeId: string, cpuPercent: number, at: string): Envelope<'metrics.sampled.v1'> =>
  makeEnvelope('metrics.sampled.v1', nodeId, { source: 'node', nodeId, taskId: null, sampledAt: at, cpuPercent, memMb: 100 });

describe('MetricService', () => {
  it('stores a sample once: a redelivered event is reported as such and not stored again', async () => {
    const repo = new InMemoryMetricRepository();
    const service = new MetricService(repo, new FakeClock(), testIdentity('collector'));
    const e = sample('n1', 42, '2026-01-01T00:00:00.000Z');
    expect(await service.record(e)).toBe(true);
    expect(await service.record(e)).toBe(false);
    expect([...repo.samples.values()]).toEqual([e.payload]);
  });

  it('rolls up from a minute before start-up, then from where the previous round began', async () => {
    const repo = new InMemoryMetricRepository();
    const clock = new FakeClock(Date.parse('2026-01-01T10:00:30Z'));
    const service = new MetricService(repo, clock, testIdentity('collector'));
    await service.rollUp();
    clock.advance(ROLLUP_EVERY_MS);
    await service.rollUp();
    expect(repo.rollUps.map((d) => d.toISOString())).toEqual(['2026-01-01T09:59:30.000Z', '2026-01-01T10:00:30.000Z']);
  });
});

describe('collector consumers over the bus transport', () => {
  let bus: InProcessEventBus;
  let app: INestMicroservice;
  let metrics: InMemoryMetricRepository;
  let log: InMemoryEventLogRepository;
  let series: InMemoryTimeseriesRepository;

  beforeEach(async () => {
    bus = new InProcessEventBus();
    metrics = new InMemoryMetricRepository();
    log = new InMemoryEventLogRepository();
    series = new InMemoryTimeseriesRepository();
    const moduleRef = await Test.createTestingModule({ imports: [kairosTestCoreModule({ service: 'collector', bus }), CollectorModule] })
      .overrideProvider(METRIC_REPOSITORY)
      .useValue(metrics)
      .overrideProvider(EVENT_LOG_REPOSITORY)
      .useValue(log)
      .overrideProvider(TIMESERIES_REPOSITORY)
      .useValue(series)
      .compile();
    app = moduleRef.createNestMicroservice({ strategy: new KairosBusServer(bus) });
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    await app.listen();
  });

  afterEach(async () => {
    await app.close();
  });

  it('subscribes every collector topic in the one consumer group `collector`', () => {
    const collector = bus.consumerStates().find((g) => g.group === 'collector');
    expect(collector?.topics.sort()).toEqual(['metrics.batch.v1', 'metrics.sampled.v1', 'node.heartbeat.v1', 'task.attempt.lost.v1', 'task.completed.v1', 'task.lifecycle.v1', 'task.queued.v1', 'task.started.v1']);
    expect(collector?.state).toBe('running');
  });

  it('stores samples and logs lifecycle events as they arrive; a redelivery changes nothing', async () => {
    const s = sample('n1', 12.5, '2026-01-01T00:00:01.000Z');
    const started = makeEnvelope('task.started.v1', 't1', { taskId: '00000000-0000-4000-8000-000000000001', attempt: 1, nodeId: 'n1', startedAt: '2026-01-01T00:00:00.000Z' });
    await bus.publish(s);
    await bus.publish(started);
    await bus.publish(s);
    await bus.drain();
    expect([...metrics.samples.keys()]).toEqual([s.eventId]);
    expect([...log.events.keys()]).toEqual([started.eventId]);
  });

  it('dead-letters a sample that breaks the contract, with the reason, and keeps consuming', async () => {
    const dead: Array<Envelope<'kairos.deadletter.v1'>> = [];
    await bus.subscribe('kairos.deadletter.v1', { group: 'watch' }, async (e) => void dead.push(e));
    await bus.publishRaw('metrics.sampled.v1', 'n1', Buffer.from(JSON.stringify({ ...sample('n1', 1, '2026-01-01T00:00:00.000Z'), payload: { cpuPercent: 'high' } })));
    const ok = sample('n2', 3, '2026-01-01T00:00:02.000Z');
    await bus.publish(ok);
    await bus.drain();
    expect(dead).toHaveLength(1);
    expect(dead[0].payload).toMatchObject({ topic: 'metrics.sampled.v1', consumer: 'collector' });
    expect(dead[0].payload.reason).toMatch(/payload\./);
    expect([...metrics.samples.keys()]).toEqual([ok.eventId]);
  });
  it('metrics.batch.v1: stores the valid points, dead-letters each bad point with its reason; a replay stores nothing twice', async () => {
    const dead: Array<Envelope<'kairos.deadletter.v1'>> = [];
    await bus.subscribe('kairos.deadletter.v1', { group: 'watch' }, async (e) => void dead.push(e));
    const ts = new Date().toISOString();
    const batch = makeEnvelope('metrics.batch.v1', 'web-1', {
      source: 'web-1',
      points: [{ metric: 'lat', value: 1, ts }, { metric: 'lat', value: 'x', ts }, { metric: 'lat', value: 2, ts, labels: { a: 'b' } }, { metric: 'lat', ts }],
    });
    await bus.publish(batch);
    await bus.publish(batch);
    await bus.drain();
    expect(series.points.size).toBe(2);
    expect(new Set(dead.map((d) => d.eventId)).size).toBe(2);
    const reasons = dead.map((d) => d.payload.reason).sort();
    expect(reasons).toHaveLength(4);
    expect(reasons[0]).toBe(`metrics.batch.v1 ${batch.eventId}: points[1].value: Invalid input: expected number, received string`);
    expect(reasons[1]).toBe(reasons[0]);
    expect(reasons[2]).toBe(`metrics.batch.v1 ${batch.eventId}: points[3].value: Invalid input: expected number, received undefined`);
    const first = dead.find((d) => d.payload.reason.includes('points[1]'))!;
    expect(JSON.parse(Buffer.from(first.payload.original, 'base64').toString())).toMatchObject({ batch: batch.eventId, source: 'web-1', index: 1, point: { value: 'x' } });
  });
});

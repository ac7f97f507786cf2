import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples of one family in a Prometheus text exposition: [labels, value] per series line. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}
const total = (text: string, name: string, where: Record<string, string> = {}) =>
  samples(text, name)
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

/**
 * /metrics on every service, scraped while 300 tasks run through the distributed platform (Kafka test
 * broker, PostgreSQL): the series docs/metrics.md lists are present, labelled by service, and moving.
 */
describe('Prometheus /metrics on every service (distributed, under load)', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  const svc: Record<'gateway' | 'collector' | 'analyzer' | 'executor', ServiceProcess> = {} as never;

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 1 });
    db = await createTestDatabase();
    const env = { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, HEARTBEAT_MS: '1000', METRICS_SAMPLE_MS: '500' };
    svc.gateway = await startService('gateway', env);
    svc.collector = await startService('collector', env);
    svc.analyzer = await startService('analyzer', env);
    svc.executor = await startService('executor', { ...env, EXECUTOR_ID: 'm-a', EXECUTOR_NODES: 'ma:8000:8192', EXECUTOR_SLOTS: '8' });
    await Promise.all(Object.values(svc).map((s) => s.waitHealthy(120_000)));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(Object.values(svc).map((s) => s?.kill()));
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  const scrape = async (s: ServiceProcess): Promise<string> => {
    const r = await fetch(`http://127.0.0.1:${s.port}/metrics`); // no key: public like /health
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return r.text();
  };

  it('exports the queue, task, scheduler, outbox, Kafka and database series, and they move under load', async () => {
    const before = await scrape(svc.executor);
    const gatewayBefore = await scrape(svc.gateway);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const fail = i % 10 === 0;
      const r = await fetch(`http://127.0.0.1:${svc.gateway.port}/api/tasks`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ queue: i % 2 ? 'metrics-a' : 'metrics-b', run: fail ? { kind: 'shell', command: ['false'] } : { kind: 'noop', sleepMs: 50 }, maxAttempts: 1 }),
      });
      expect(r.status).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    // Mid-run: work is queued or running somewhere.
    const during = await scrape(svc.executor);
    expect(total(during, 'kairos_queue_depth') + total(during, 'kairos_tasks_running')).toBeGreaterThan(0);
    expect(samples(during, 'kairos_queue_oldest_age_seconds').some((s) => s.labels.queue?.startsWith('metrics-'))).toBe(true);

    const until = Date.now() + 120_000;
    let after = '';
    for (;;) {
      after = await scrape(svc.executor);
      if (total(after, 'kairos_task_completions_total') >= 300) break;
      if (Date.now() > until) throw new Error(`completions ${total(after, 'kairos_task_completions_total')} of 300\n${svc.executor.output().slice(-3000)}`);
      await sleep(500);
    }
    expect(total(after, 'kairos_task_completions_total', { queue: 'metrics-a', runner: 'noop', outcome: 'succeeded' })).toBe(150);
    expect(total(after, 'kairos_task_completions_total', { runner: 'shell', outcome: 'failed' })).toBe(30);
    expect(total(after, 'kairos_scheduler_decision_seconds_count')).toBeGreaterThan(total(before, 'kairos_scheduler_decision_seconds_count'));
    expect(total(after, 'kairos_task_claim_seconds_count')).toBeGreaterThan(total(before, 'kairos_task_claim_seconds_count'));
    expect(samples(after, 'kairos_task_completions_total').every((s) => s.labels.service === 'executor')).toBe(true);

    const gateway = await scrape(svc.gateway);
    expect(total(gateway, 'kairos_task_submissions_total') - total(gatewayBefore, 'kairos_task_submissions_total')).toBe(300);
    expect(samples(gateway, 'kairos_outbox_backlog').map((s) => s.labels.producer)).toContain('gateway');

    // Every service: process metrics, its PostgreSQL pool, and its Kafka consumers' lag once they consumed.
    for (const [name, s] of Object.entries(svc)) {
      const text = await scrape(s);
      expect(samples(text, 'kairos_process_cpu_seconds_total').length).toBeGreaterThan(0);
      expect(samples(text, 'kairos_db_pool_connections').map((x) => x.labels.state).sort()).toEqual(['idle', 'total', 'waiting']);
      expect(samples(text, 'kairos_db_pool_connections')[0].labels.service).toBe(name);
      if (name !== 'gateway') expect(samples(text, 'kairos_kafka_consumer_lag').length).toBeGreaterThan(0);
    }
    // Queues drained: the depth gauges went back to 0 rather than keeping the mid-run value.
    const drained = await scrape(svc.executor);
    expect(total(drained, 'kairos_queue_depth')).toBe(0);
  }, 240_000);
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BUS, type EventBus } from '@kairos/bus';
import { DecisionRecordSchema, FeatureImportanceSchema, PredictionExplanationSchema, type Envelope } from '@kairos/contracts';
import { DATABASE, Database, withBaseline } from '@kairos/persistence';
import { loadConfig, type KairosConfig } from '@kairos/platform';
import { createKairosContext, OutboxRelayService } from '@kairos/runtime';
import { createTestDatabase } from '@kairos/testing';
import { ModelRegistry } from '@kairos/ml';
import { PgModelStore } from '../src/models/model-store.repository';
import { TaskHistoryRepository } from '../src/training/task-history.repository';
import { AnalyzerModule, ANALYZER_MIGRATIONS } from '../src/analyzer.module';
import { ANALYZER_OPTIONS, type AnalyzerOptions } from '../src/core/analyzer-options';
import { DiagnosisService } from '../src/diagnosis/diagnosis.service';
import { DurationModelService } from '../src/models/duration-model.service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the analyzer writes diagnosis records into the executor's scheduling_decisions; the test creates that table with the executor's own migration
import { SchedulingDecisions1732350020000 } from '../../executor/src/database/migrations/1732350020000-scheduling-decisions';
import { AnalyzerError, httpStatusOf, toAnalyzerError } from '../src/errors/analyzer.errors';

const MIGRATIONS = withBaseline(ANALYZER_MIGRATIONS);

/** One analyzer replica (a Nest application context over the analyzer module) and what the tests drive. */
interface AnalyzerReplica {
  durations: DurationModelService;
  diagnosis: DiagnosisService;
  relay: OutboxRelayService;
  beforeApplicationShutdown(): Promise<void>;
}

// Two analyzer replicas over one PostgreSQL database: registry lifecycle with hot swap seen by the
// running replica, rollback, and diagnosis decisions (sent vs dry-run) with their audit trail.
describe('analyzer replicas on PostgreSQL', () => {
  let pg: { url: string; drop(): Promise<void> };
  let dir: string;
  const dbs: Database[] = [];
  const replicas: AnalyzerReplica[] = [];
  const repairs: Array<Envelope<'repair.requested.v1'>> = [];

  async function replica(id: string, overrides: Partial<KairosConfig>): Promise<AnalyzerReplica> {
    const config = loadConfig({}, { ANALYZER_MODEL_POLL_MS: 100, EXECUTOR_ID: id, DATABASE_URL: pg.url, DATA_DIR: dir, LOG_LEVEL: 'silent', ...overrides });
    const options: AnalyzerOptions = { tfBackend: async () => ({ name: 'cpu', tried: [{ name: 'cpu', ok: true, error: null }] }), timers: false };
    const app = await createKairosContext({ service: 'analyzer', config, migrations: MIGRATIONS, modules: [AnalyzerModule], globals: [{ provide: ANALYZER_OPTIONS, useValue: options }] });
    dbs.push(app.get<Database>(DATABASE));
    const bus = app.get<EventBus>(EVENT_BUS);
    await bus.subscribe('repair.requested.v1', { group: 'test' }, async (e) => void repairs.push(e));
    await bus.start();
    const r: AnalyzerReplica = { durations: app.get(DurationModelService), diagnosis: app.get(DiagnosisService), relay: app.get(OutboxRelayService), beforeApplicationShutdown: () => app.close() };
    replicas.push(r);
    return r;
  }

  /** 240 finished tasks of three kinds (≈1 s, 5 s, 20 s) over the last 8 hours, as the gateway and executor store them. */
  async function seedHistory(db: Database): Promise<void> {
    const kinds = [
      { name: 'small', cpu: 100, ms: 1_000 },
      { name: 'medium', cpu: 500, ms: 5_000 },
      { name: 'large', cpu: 2000, ms: 20_000 },
    ];
    const t0 = Date.now() - 8 * 3600_000;
    for (let i = 0; i < 240; i++) {
      const k = kinds[i % 3];
      const id = randomUUID();
      const created = new Date(t0 + i * 60_000);
      const ms = Math.round(k.ms * (0.9 + 0.2 * ((i * 37) % 11) / 10));
      const finished = new Date(created.getTime() + ms);
      await db.query(
        `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status, created_at, started_at, finished_at)
         VALUES ($1, $2, 'default', 0, $3::jsonb, $4::jsonb, 60000, 1, 'succeeded', $5, $5, $6)`,
        [id, k.name, JSON.stringify({ kind: 'noop', sleepMs: 0 }), JSON.stringify({ cpuMillis: k.cpu, memMb: 64, gpu: 0 }), created.toISOString(), finished.toISOString()],
      );
      await db.query(`INSERT INTO duration_history (task_id, attempt, signature, status, duration_ms, finished_at) VALUES ($1, 1, $2, 'succeeded', $3, $4)`, [
        id,
        `default|noop|${k.name}`,
        ms,
        finished.toISOString(),
      ]);
    }
  }

  async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  let a: AnalyzerReplica;
  let b: AnalyzerReplica;

  beforeAll(async () => {
    pg = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'kairos-analyzer-int-'));
    a = await replica('analyzer-a', { REPAIR_DRY_RUN: false, REPAIR_MIN_CONFIDENCE: 0.5, REPAIR_COOLDOWN_SEC: 0, ANOMALY_PROBATION_SAMPLES: 120 });
    await seedHistory(dbs[0]);
    b = await replica('analyzer-b', { REPAIR_DRY_RUN: true, REPAIR_MIN_CONFIDENCE: 0.5, REPAIR_COOLDOWN_SEC: 0 });
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) await r.beforeApplicationShutdown();
    for (const db of dbs) await db.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains candidates with metrics, window, schema hash, backend and a checksummed artifact in PostgreSQL', async () => {
    const v1 = await a.durations.train({ trees: 30 }, 'test');
    expect(v1).toMatchObject({ name: 'duration', version: 1, stage: 'candidate', backend: 'cpu' });
    expect(v1.artifact.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.featureSchemaHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.metrics.validationMaeMs).toBeGreaterThan(0);
    expect(v1.metrics.baselineMaeMs).toBeGreaterThan(0);
    expect(Date.parse(v1.trainingWindow.from)).toBeLessThan(Date.parse(v1.trainingWindow.to));
    const stored = await dbs[0].query<{ size_bytes: number }>(`SELECT size_bytes FROM model_artifacts WHERE checksum = $1`, [v1.artifact.checksum]);
    expect(stored[0].size_bytes).toBe(v1.artifact.sizeBytes);
    const v2 = await a.durations.train({ trees: 20 }, 'test');
    expect(v2.version).toBe(2);
    // The other replica reads the same registry and verifies the bytes against the checksum.
    const loaded = await b.durations.registry.loadArtifact('duration', 1);
    expect(loaded.bytes.byteLength).toBe(v1.artifact.sizeBytes);
  }, 30_000);

  it('deploys to production and the running second replica hot-swaps without a restart', async () => {
    expect(b.durations.cache.current()).toBeUndefined();
    const before = await b.durations.estimate({ signature: 'default|noop|large', cpuMillis: 2000, memMb: 64, createdAtMs: Date.now() });
    expect(before?.model).toBe('moving-average');
    await a.durations.deploy('duration', 1, 'test');
    await eventually(() => b.durations.cache.current()?.version.version === 1);
    const after = await b.durations.estimate({ signature: 'default|noop|large', cpuMillis: 2000, memMb: 64, createdAtMs: Date.now() });
    expect(after).toMatchObject({ model: 'duration', modelVersion: '1' });
    expect(after!.p90Ms).toBeGreaterThanOrEqual(after!.p50Ms);
    expect(after!.p50Ms).toBeGreaterThan(8_000);
    // v2 (fewer trees) does not beat production by the gate's 2 %: refused with the verdict, nothing changes.
    const refused = await a.durations.deploy('duration', 2, 'test').catch((e: unknown) => toAnalyzerError(e));
    expect(refused).toBeInstanceOf(AnalyzerError);
    expect(refused).toMatchObject({ code: 'DEPLOY_GATE_REFUSED', details: { verdict: { deployable: false } } });
    expect(httpStatusOf((refused as AnalyzerError).code)).toBe(409);
    expect((refused as Error).message).toMatch(/validationMaeMs/);
    expect((await a.durations.registry.get('duration', 2)).stage).toBe('candidate');
    // A forced deploy needs a reason, and the override is audited in the stage history.
    const noReason = await a.durations.deploy('duration', 2, 'test', { reason: ' ' }).catch((e: unknown) => toAnalyzerError(e));
    expect(noReason).toMatchObject({ code: 'VALIDATION_FAILED' });
    await a.durations.deploy('duration', 2, 'test', { reason: 'int test: exercise hot swap to v2' });
    await eventually(() => b.durations.cache.current()?.version.version === 2);
    expect((await b.durations.registry.get('duration', 1)).stage).toBe('archived');
    const promoted = (await a.durations.registry.history('duration')).filter((h) => h.version === 2 && h.to === 'production');
    expect(promoted).toEqual([expect.objectContaining({ gate: expect.objectContaining({ deployable: false, forced: true, forceReason: 'int test: exercise hot swap to v2' }) })]);
  });

  it('rolls back to the previous production version, seen by both replicas', async () => {
    const restored = await b.durations.rollback('duration', 'test');
    expect(restored).toMatchObject({ version: 1, stage: 'production' });
    await eventually(() => a.durations.cache.current()?.version.version === 1 && b.durations.cache.current()?.version.version === 1);
    expect((await a.durations.registry.get('duration', 2)).stage).toBe('archived');
    const history = await a.durations.registry.history('duration');
    expect(history.map((h) => `${h.version}:${h.to}:${h.reason}`)).toEqual([
      '1:candidate:register',
      '2:candidate:register',
      '1:production:promote',
      '1:archived:promote',
      '2:production:promote',
      '2:archived:rollback',
      '1:production:rollback',
    ]);
  });

  it('explains a stored estimate against the version that made it: p50/p90 TreeSHAP for its feature row, and the version importance', async () => {
    expect(a.durations.cache.current()?.version.version).toBe(1);
    const taskId = randomUUID();
    const spec = { signature: 'default|noop|large', cpuMillis: 2000, memMb: 64, createdAtMs: Date.now() };
    const { estimate, features } = await a.durations.estimateWithFeatures(spec);
    expect(estimate).toMatchObject({ model: 'duration', modelVersion: '1' });
    const registered1 = (await a.durations.registry.get('duration', 1)).features;
    // The row kept is what the model reads: its feature groups' subset of the registered input schema.
    const reads = a.durations.cache.current()!.model.predictor.featureNames;
    expect(features).toHaveLength(reads.length);
    expect(reads.every((f) => (registered1 as string[]).includes(f))).toBe(true);
    await a.durations.storeEstimate({ taskId, signature: spec.signature, estimate, traceId: randomUUID(), features: features! });
    // Read on the other replica, which loads version 1's artifact from the registry and builds its explainers.
    const e = await b.durations.explain(taskId);
    expect(e).toMatchObject({ taskId, model: 'duration', modelVersion: '1', p50: { status: 'explained', target: 'duration_p50', outputSpace: 'log1p_seconds' }, p90: { status: 'explained', target: 'duration_p90' } });
    const p50 = PredictionExplanationSchema.parse(e!.p50);
    const p90 = PredictionExplanationSchema.parse(e!.p90);
    if (p50.status !== 'explained' || p90.status !== 'explained') throw new Error('not explained');
    expect(p50.model).toEqual({ name: 'duration', version: 1, featureSchemaHash: (await a.durations.registry.get('duration', 1)).featureSchemaHash });
    // The attribution's model output is the stored estimate (p50 = expm1 of the central output, in seconds).
    expect(Math.expm1(p50.prediction) * 1000).toBeCloseTo(e!.p50Ms, 3);
    expect(Math.expm1(p90.prediction) * 1000).toBeLessThanOrEqual(e!.p90Ms + 1e-3);
    const sum = p50.baseValue + p50.top.reduce((acc, c) => acc + c.contribution, 0) + p50.restContribution;
    expect(Math.abs(sum - p50.prediction)).toBeLessThan(1e-6);
    expect(p50.top.length).toBeGreaterThan(0);
    expect(FeatureImportanceSchema.parse(e!.importance).features.map((f) => f.feature)).toEqual((await a.durations.registry.get('duration', 1)).features);
    expect(await a.durations.importance('duration', 2)).not.toBeNull();
    // A moving-average estimate is answered, with the reason; an unknown task has none.
    const maTask = randomUUID();
    await a.durations.storeEstimate({ taskId: maTask, signature: 'x|noop|y', estimate: { p50Ms: 10, p90Ms: 20, model: 'moving-average', modelVersion: 'v1', basedOn: 3 }, traceId: randomUUID() });
    const ma = await a.durations.explain(maTask);
    expect(ma?.p50).toMatchObject({ status: 'unavailable', reason: 'model_not_supported', model: null });
    expect(ma?.importance).toBeNull();
    expect(await a.durations.explain(randomUUID())).toBeUndefined();
  });

  it('records dry-run diagnoses only, and sends repair.requested when not in dry-run', async () => {
    const now = Date.now();
    for (let i = 0; i < 60; i++) {
      await dbs[0].query(`INSERT INTO metric_samples (event_id, source, node_id, sampled_at, cpu_percent, mem_mb) VALUES ($1, 'node', 'hot-node', $2, $3, 1000)`, [
        randomUUID(),
        new Date(now - (60 - i) * 4_000).toISOString(),
        97 + (i % 3),
      ]);
      await dbs[0].query(`INSERT INTO metric_samples (event_id, source, node_id, sampled_at, cpu_percent, mem_mb) VALUES ($1, 'node', 'calm-node', $2, 20, 1000)`, [
        randomUUID(),
        new Date(now - (60 - i) * 4_000).toISOString(),
      ]);
    }
    const dry = await b.diagnosis.evaluate(now);
    expect(dry.map((d) => [d.diagnosis.ruleId, d.action, d.dryRun, d.suppressed])).toEqual([['high-cpu', { kind: 'cordon_node', nodeId: 'hot-node' }, true, null]]);
    const sent = await a.diagnosis.evaluate(now + 1);
    expect(sent[0]).toMatchObject({ dryRun: false, suppressed: null });
    a.relay.kick();
    await eventually(() => repairs.length === 1);
    expect(repairs[0].payload).toMatchObject({ action: { kind: 'cordon_node', nodeId: 'hot-node' }, dryRun: false, requestedBy: 'analyzer:high-cpu' });
    expect(repairs[0].payload.confidence).toBeGreaterThanOrEqual(0.5);
    const audit = (await a.diagnosis.audit({ limit: 200 })).items as unknown as Array<{ outcome: string; reason: string; explanation: string; actionId: string | null; confidence: number }>;
    expect(audit.map((d) => d.outcome).sort()).toEqual(['dry-run', 'sent']);
    expect(audit.find((d) => d.outcome === 'dry-run')).toMatchObject({ actionId: null, reason: 'dry-run: would request cordon_node' });
    expect(audit.find((d) => d.outcome === 'sent')!.actionId).toBe(repairs[0].payload.actionId);
    expect(audit[0].explanation).toContain('hot-node');

    // 'diagnosis' DecisionRecords go to the executor's scheduling_decisions when it exists: none here (analyzer
    // migrations only, nothing failed), then, with the table created, one per decision with its rule and evidence.
    expect((await dbs[0].query<{ t: string | null }>(`SELECT to_regclass('scheduling_decisions')::text AS t`))[0].t).toBeNull();
    await new SchedulingDecisions1732350020000().up({ query: (sql: string) => dbs[0].query(sql) } as never);
    const again = await b.diagnosis.evaluate(now + 2);
    expect(again.map((d) => d.dryRun)).toEqual([true]);
    const rows = await dbs[0].query<{ kind: string; node_id: string; record: unknown }>(`SELECT kind, node_id, record FROM scheduling_decisions`);
    expect(rows.map((r) => [r.kind, r.node_id])).toEqual([['diagnosis', 'hot-node']]);
    expect(DecisionRecordSchema.parse(rows[0].record)).toMatchObject({ policy: { name: 'diagnosis-rules' }, chosen: { id: 'high-cpu' }, inputs: { extra: { outcome: 'dry-run', action: 'cordon_node' } } });
  });

  it('keeps rules as data: seeded with the seed-000 rules and editable', async () => {
    expect((await a.diagnosis.rules()).map((r) => r.id)).toEqual(['high-cpu', 'memory-leak', 'network-bottleneck']);
    const rule = await a.diagnosis.rule('high-cpu');
    await b.diagnosis.replace('high-cpu', { ...rule, enabled: false });
    expect((await a.diagnosis.rule('high-cpu')).enabled).toBe(false);
    expect(await a.diagnosis.evaluate(Date.now())).toEqual([]);
  });
  it('scores node metrics with the streaming anomaly detector and lets a rule act on the scores', async () => {
    const now = Date.now();
    // 240 s of a calm CPU around 30 % (±2), then a jump to 95 % for the last 5 samples.
    for (let i = 0; i < 245; i++) {
      const cpu = i < 240 ? 30 + ((i * 7) % 5) - 2 : 95;
      await dbs[0].query(`INSERT INTO metric_samples (event_id, source, node_id, sampled_at, cpu_percent, mem_mb) VALUES ($1, 'node', 'spiky-node', $2, $3, 1000)`, [
        randomUUID(),
        new Date(now - (250 - i) * 1_000).toISOString(),
        cpu,
      ]);
    }
    const report = await a.diagnosis.anomalyReport(600, now);
    const cpu = report.find((r) => r.nodeId === 'spiky-node' && r.metric === 'cpuPercent')!;
    expect(cpu).toMatchObject({ points: 245, samplesSeen: 245, learning: false });
    const scores = a.diagnosis.anomalies.recent('spiky-node/cpuPercent', 0);
    expect(Math.max(...scores.slice(0, 120).map((p) => p.value))).toBe(0); // ARTime's probationary period (ANOMALY_PROBATION_SAMPLES)
    const calm = Math.max(...scores.slice(120, 240).map((p) => p.value)); // after it, before the jump
    const jump = Math.max(...scores.slice(240).map((p) => p.value));
    expect(jump).toBeGreaterThanOrEqual(0.7);
    expect(calm).toBeLessThan(jump);
    expect(cpu.max).toBeGreaterThanOrEqual(jump);

    await a.diagnosis.create({
      id: 'cpu-anomaly',
      name: 'CPU anomaly',
      description: 'the CPU series of a node does something it has not done before',
      enabled: true,
      target: 'node',
      match: 'all',
      conditions: [{ metric: 'cpuPercentAnomaly', aggregate: 'max', windowSec: 30, operator: '>=', threshold: 0.7 }],
      action: { kind: 'cordon_node', nodeId: '{nodeId}' },
      minSamples: 1,
    });
    const decisions = await a.diagnosis.evaluate(now + 1);
    expect(decisions.filter((d) => d.diagnosis.ruleId === 'cpu-anomaly').map((d) => d.action)).toContainEqual({ kind: 'cordon_node', nodeId: 'spiky-node' });
  });
});

describe('PgModelStore on embedded PGlite', () => {
  it('stores bytea artifacts and commits versions with the same invariants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-analyzer-pglite-'));
    const db = await Database.open({ dataDir: dir, migrations: MIGRATIONS });
    try {
      const registry = new ModelRegistry({ store: new PgModelStore(db) });
      const bytes = new Uint8Array([0, 1, 2, 255, 92, 120]);
      const v = await registry.register({ name: 'm', artifact: bytes, artifactFormat: 'raw/1', metrics: { mae: 1 }, trainingWindow: { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' }, features: ['a'], backend: 'cpu', createdBy: 't' });
      await registry.promote('m', v.version, { by: 't' });
      expect((await registry.loadProduction('m')).bytes).toEqual(bytes);
      expect(await registry.revision('m')).toBe(2);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('TaskHistoryRepository on embedded PGlite', () => {
  it('reads the newest tasks in keyset pages exactly as in one statement (ties on created_at included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-analyzer-history-'));
    const db = await Database.open({ dataDir: dir, migrations: MIGRATIONS });
    try {
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      // 23 tasks over 9 distinct instants (microsecond precision on some), every third one with a run time.
      for (let i = 0; i < 23; i++) {
        const id = randomUUID();
        const created = `2026-01-01T00:00:0${i % 9}.${String(100_000 + (i % 2) * 7).padStart(6, '0')}Z`;
        await db.query(
          `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status, created_at, finished_at)
           VALUES ($1, $2, 'default', 0, '{"kind":"noop","sleepMs":0}', '{"cpuMillis":100,"memMb":64,"gpu":0}', 60000, 1, 'succeeded', $3, $3::timestamptz + interval '1 second')`,
          [id, `k${i % 4}`, created],
        );
        if (i % 3 === 0) await db.query(`INSERT INTO duration_history (task_id, attempt, signature, status, duration_ms, finished_at) VALUES ($1, 1, 'x', 'succeeded', $2, $3)`, [id, 100 + i, new Date(t0 + 9_000).toISOString()]);
      }
      const history = new TaskHistoryRepository(db);
      const whole = await history.recent(20, undefined, 1_000);
      expect(whole).toHaveLength(20);
      for (const pageSize of [1, 3, 7]) expect(await history.recent(20, undefined, pageSize)).toEqual(whole);
      expect(await history.recent(100, undefined, 4)).toEqual(await history.recent(100, undefined, 1_000));
      expect((await history.recent(100, undefined, 4)).length).toBe(23);
      // Oldest first, as training and the feature resync expect.
      expect(whole.map((r) => r.createdAtMs)).toEqual([...whole.map((r) => r.createdAtMs)].sort((a, b) => a - b));
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { featureSchemaHash } from './feature-schema.hash';
import { InMemoryModelStore } from './in-memory-model.store';
import { ModelRegistryError, type ModelRegistryErrorCode } from './model-registry.errors';
import { ModelRegistry } from './model-registry.service';
import type { ModelMutation, ModelStore } from './model-store.port';
import type { ArtifactRef, ModelSnapshot } from './model-version.model';
import { makeTrainResult, steppingClock } from './registry.fixtures';

const ops = { by: 'ops-test' };

function setup(): { registry: ModelRegistry; store: InMemoryModelStore } {
  const store = new InMemoryModelStore();
  return { store, registry: new ModelRegistry({ store, clock: steppingClock() }) };
}

async function registerN(registry: ModelRegistry, n: number, name = 'duration-gbdt'): Promise<void> {
  for (let i = 1; i <= n; i++) await registry.register(makeTrainResult({ name, notes: `run ${i}` }));
}

async function expectCode(promise: Promise<unknown>, code: ModelRegistryErrorCode): Promise<ModelRegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelRegistryError);
  expect((error as ModelRegistryError).code).toBe(code);
  return error as ModelRegistryError;
}

describe('ModelRegistry lifecycle', () => {
  it('registers immutable candidate versions numbered 1, 2, 3 per name', async () => {
    const { registry } = setup();
    await registerN(registry, 2);
    await registry.register(makeTrainResult({ name: 'memory-lstm' }));
    const v1 = await registry.get('duration-gbdt', 1);
    expect(v1).toMatchObject({
      name: 'duration-gbdt',
      version: 1,
      stage: 'candidate',
      metrics: { maeMs: 1200, mape: 0.31 },
      trainingWindow: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
      backend: 'cpu',
      artifactFormat: 'gbdt-json/1',
      createdAt: '2026-11-23T12:00:00.000Z',
      createdBy: 'trainer-test',
      notes: 'run 1',
      featureSchemaHash: featureSchemaHash(['requestedCpu', 'requestedMemMb', 'hourOfDay', 'queueLength']),
    });
    expect(v1.artifact.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.artifact.sizeBytes).toBe(makeTrainResult({ notes: 'run 1' }).artifact.byteLength);
    expect((await registry.list('duration-gbdt')).map((v) => v.version)).toEqual([1, 2]);
    expect((await registry.get('memory-lstm', 1)).version).toBe(1);
    expect(await registry.listNames()).toEqual(['duration-gbdt', 'memory-lstm']);
    expect(await registry.getProduction('duration-gbdt')).toBeUndefined();
  });

  it('promote makes exactly one production version and archives the previous one', async () => {
    const { registry } = setup();
    await registerN(registry, 3);
    await registry.promote('duration-gbdt', 1, ops);
    await registry.promote('duration-gbdt', 3, ops);
    const stages = (await registry.list('duration-gbdt')).map((v) => `${v.version}:${v.stage}`);
    expect(stages).toEqual(['1:archived', '2:candidate', '3:production']);
    expect((await registry.getProduction('duration-gbdt'))?.version).toBe(3);
    expect(await registry.list('duration-gbdt', 'production')).toHaveLength(1);
  });

  it('promoting the production version again is a no-op (safe retry)', async () => {
    const { registry, store } = setup();
    await registerN(registry, 1);
    await registry.promote('duration-gbdt', 1, ops);
    const revision = await store.revision('duration-gbdt');
    expect((await registry.promote('duration-gbdt', 1, ops)).stage).toBe('production');
    expect(await store.revision('duration-gbdt')).toBe(revision);
  });

  it('rollback walks back through earlier production versions, newest first', async () => {
    const { registry } = setup();
    await registerN(registry, 4);
    for (const v of [1, 2, 3]) await registry.promote('duration-gbdt', v, ops);
    expect((await registry.rollback('duration-gbdt', ops)).version).toBe(2);
    expect((await registry.get('duration-gbdt', 3)).stage).toBe('archived');
    expect((await registry.rollback('duration-gbdt', ops)).version).toBe(1);
    await expectCode(registry.rollback('duration-gbdt', ops), 'NO_ROLLBACK_TARGET');
    // A new promotion after rollbacks: rolling back from it returns to the version it replaced.
    await registry.promote('duration-gbdt', 4, ops);
    expect((await registry.rollback('duration-gbdt', ops)).version).toBe(1);
    expect((await registry.list('duration-gbdt', 'production')).map((v) => v.version)).toEqual([1]);
  });

  it('records every stage move in the history with who and why', async () => {
    const { registry } = setup();
    await registerN(registry, 2);
    await registry.promote('duration-gbdt', 1, { by: 'alice', note: 'first deploy' });
    await registry.promote('duration-gbdt', 2, { by: 'bob' });
    await registry.rollback('duration-gbdt', { by: 'carol', note: 'MAE regression' });
    const history = (await registry.history('duration-gbdt')).map((c) => [c.version, c.from, c.to, c.reason, c.by, c.note]);
    expect(history).toEqual([
      [1, null, 'candidate', 'register', 'trainer-test', 'run 1'],
      [2, null, 'candidate', 'register', 'trainer-test', 'run 2'],
      [1, 'candidate', 'production', 'promote', 'alice', 'first deploy'],
      [1, 'production', 'archived', 'promote', 'bob', undefined],
      [2, 'candidate', 'production', 'promote', 'bob', undefined],
      [2, 'production', 'archived', 'rollback', 'carol', 'MAE regression'],
      [1, 'archived', 'production', 'rollback', 'carol', 'MAE regression'],
    ]);
  });

  it.each<[string, (r: ModelRegistry) => Promise<unknown>, ModelRegistryErrorCode]>([
    ['promote an archived version', (r) => r.promote('duration-gbdt', 1, ops), 'ILLEGAL_STAGE_TRANSITION'],
    ['archive the production version', (r) => r.archive('duration-gbdt', 2, ops), 'ILLEGAL_STAGE_TRANSITION'],
    ['promote an unknown version', (r) => r.promote('duration-gbdt', 9, ops), 'VERSION_NOT_FOUND'],
    ['get an unknown model', (r) => r.get('nope', 1), 'MODEL_NOT_FOUND'],
    ['roll back an unknown model', (r) => r.rollback('nope', ops), 'MODEL_NOT_FOUND'],
    ['roll back a model never promoted', (r) => r.rollback('never-promoted', ops), 'NO_PRODUCTION_VERSION'],
    ['require production of a model never promoted', (r) => r.requireProduction('never-promoted'), 'NO_PRODUCTION_VERSION'],
    ['use a name that is not file-safe', (r) => r.get('../etc/passwd', 1), 'INVALID_MODEL_NAME'],
  ])('rejects: %s', async (_label, act, code) => {
    const { registry } = setup();
    await registerN(registry, 3);
    await registerN(registry, 1, 'never-promoted');
    await registry.promote('duration-gbdt', 1, ops);
    await registry.promote('duration-gbdt', 2, ops); // 1 archived, 2 production, 3 candidate
    const before = (await registry.list('duration-gbdt')).map((v) => v.stage);
    await expectCode(act(registry), code);
    expect((await registry.list('duration-gbdt')).map((v) => v.stage)).toEqual(before);
  });

  it('archives a candidate, and archiving it again is a no-op', async () => {
    const { registry } = setup();
    await registerN(registry, 1);
    expect((await registry.archive('duration-gbdt', 1, ops)).stage).toBe('archived');
    expect((await registry.archive('duration-gbdt', 1, ops)).stage).toBe('archived');
    await expectCode(registry.promote('duration-gbdt', 1, ops), 'ILLEGAL_STAGE_TRANSITION');
  });

  it.each<[string, Parameters<typeof makeTrainResult>[0], string]>([
    ['empty artifact', { artifact: new Uint8Array(0) }, 'artifact'],
    ['NaN metric', { metrics: { maeMs: Number.NaN } }, 'metrics.maeMs'],
    ['unparseable window', { trainingWindow: { from: 'yesterday', to: '2026-11-20T00:00:00Z' } }, 'trainingWindow.from'],
    ['reversed window', { trainingWindow: { from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' } }, 'trainingWindow'],
    ['no features', { features: [] }, 'features'],
    ['repeated feature', { features: ['a', 'b', 'a'] }, 'features[2]'],
    ['no backend', { backend: '' }, 'backend'],
  ])('refuses to register a train result with %s, naming the field', async (_label, overrides, field) => {
    const { registry } = setup();
    const error = await expectCode(registry.register(makeTrainResult(overrides)), 'INVALID_TRAIN_RESULT');
    expect(error.details['field']).toBe(field);
    expect(error.message).toContain(field);
    expect(await registry.listNames()).toEqual([]);
  });
});

describe('ModelRegistry artifacts', () => {
  it('loads the production artifact byte-for-byte', async () => {
    const { registry } = setup();
    await registerN(registry, 1);
    await registry.promote('duration-gbdt', 1, ops);
    const loaded = await registry.loadProduction('duration-gbdt');
    expect(new TextDecoder().decode(loaded.bytes)).toBe(new TextDecoder().decode(makeTrainResult({ notes: 'run 1' }).artifact));
    expect(loaded.version.version).toBe(1);
  });

  it('detects an artifact whose bytes no longer match the recorded checksum', async () => {
    const { registry, store } = setup();
    await registerN(registry, 1);
    const v1 = await registry.get('duration-gbdt', 1);
    store.tamperArtifact(v1.artifact.checksum, new TextEncoder().encode('bit rot'));
    await expectCode(registry.loadArtifact('duration-gbdt', 1), 'CHECKSUM_MISMATCH');
  });

  it('re-verifies bytes even when a store hands back the wrong ones without complaint', async () => {
    const inner = new InMemoryModelStore();
    const lying: ModelStore = {
      listNames: () => inner.listNames(),
      load: (n) => inner.load(n),
      revision: (n) => inner.revision(n),
      commit: (n, r, m) => inner.commit(n, r, m),
      putArtifact: (b) => inner.putArtifact(b),
      getArtifact: async () => new TextEncoder().encode('someone else’s model'),
    };
    const registry = new ModelRegistry({ store: lying, clock: steppingClock() });
    await registerN(registry, 1);
    const error = await expectCode(registry.loadArtifact('duration-gbdt', 1), 'CHECKSUM_MISMATCH');
    expect(error.message).toContain('duration-gbdt@1');
  });

  it('refuses to hand a model to a caller with a different feature schema (order matters)', async () => {
    const { registry } = setup();
    await registerN(registry, 1);
    await registry.promote('duration-gbdt', 1, ops);
    const same = ['requestedCpu', 'requestedMemMb', 'hourOfDay', 'queueLength'];
    await expect(registry.loadProduction('duration-gbdt', same)).resolves.toBeDefined();
    const swapped = ['requestedMemMb', 'requestedCpu', 'hourOfDay', 'queueLength'];
    const error = await expectCode(registry.loadProduction('duration-gbdt', swapped), 'FEATURE_SCHEMA_MISMATCH');
    expect(error.message).toContain('requestedMemMb, requestedCpu');
  });

  it('can require a candidate to keep the production feature schema on promotion', async () => {
    const { registry } = setup();
    await registerN(registry, 1);
    await registry.promote('duration-gbdt', 1, ops);
    await registry.register(makeTrainResult({ features: ['requestedCpu', 'hourOfDay'] }));
    await expectCode(registry.promote('duration-gbdt', 2, { ...ops, requireSameFeatureSchema: true }), 'FEATURE_SCHEMA_MISMATCH');
    expect((await registry.promote('duration-gbdt', 2, ops)).stage).toBe('production');
  });
});

/** Makes the first `parties` loads wait for each other, so replicas race on the same snapshot. */
class RacingStore implements ModelStore {
  private waiting: Array<() => void> = [];
  constructor(
    private readonly inner: ModelStore,
    private parties: number,
  ) {}
  listNames(): Promise<string[]> {
    return this.inner.listNames();
  }
  async load(name: string): Promise<ModelSnapshot | undefined> {
    const snapshot = await this.inner.load(name);
    if (this.parties > 0) {
      this.parties--;
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (this.parties === 0) this.waiting.forEach((r) => r());
      });
    }
    return snapshot;
  }
  revision(name: string): Promise<number> {
    return this.inner.revision(name);
  }
  commit(name: string, expected: number, mutation: ModelMutation): Promise<ModelSnapshot> {
    return this.inner.commit(name, expected, mutation);
  }
  putArtifact(bytes: Uint8Array): Promise<ArtifactRef> {
    return this.inner.putArtifact(bytes);
  }
  getArtifact(checksum: string): Promise<Uint8Array> {
    return this.inner.getArtifact(checksum);
  }
}

describe('ModelRegistry concurrency', () => {
  it('two replicas promoting different versions from the same state: one wins, one gets REVISION_CONFLICT', async () => {
    const shared = new InMemoryModelStore();
    await registerN(new ModelRegistry({ store: shared, clock: steppingClock() }), 3);
    await new ModelRegistry({ store: shared }).promote('duration-gbdt', 1, ops);
    const racing = new RacingStore(shared, 2);
    const replicaA = new ModelRegistry({ store: racing, clock: steppingClock() });
    const replicaB = new ModelRegistry({ store: racing, clock: steppingClock() });
    const results = await Promise.allSettled([replicaA.promote('duration-gbdt', 2, ops), replicaB.promote('duration-gbdt', 3, ops)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as ModelRegistryError).code).toBe('REVISION_CONFLICT');
    expect((rejected?.reason as ModelRegistryError).retryable).toBe(true);
    const production = await new ModelRegistry({ store: shared }).list('duration-gbdt', 'production');
    expect(production).toHaveLength(1);
  });

  it('concurrent registrations both land, with distinct version numbers', async () => {
    const shared = new InMemoryModelStore();
    const racing = new RacingStore(shared, 2);
    const [a, b] = await Promise.all([
      new ModelRegistry({ store: racing }).register(makeTrainResult({ notes: 'a' })),
      new ModelRegistry({ store: racing }).register(makeTrainResult({ notes: 'b' })),
    ]);
    expect([a.version, b.version].sort()).toEqual([1, 2]);
    expect(await shared.revision('duration-gbdt')).toBe(2);
  });

  it('a commit against a stale revision is refused by the store itself', async () => {
    const store = new InMemoryModelStore();
    const registry = new ModelRegistry({ store, clock: steppingClock() });
    await registerN(registry, 2);
    const stale = await store.load('duration-gbdt');
    await registry.promote('duration-gbdt', 1, ops);
    const at = '2026-11-23T13:00:00.000Z';
    await expectCode(
      store.commit('duration-gbdt', stale?.revision ?? 0, {
        stageChanges: [{ version: 2, from: 'candidate', to: 'production', reason: 'promote', at, by: 'x' }],
      }),
      'REVISION_CONFLICT',
    );
  });

  it('the store refuses a mutation that would leave two production versions', async () => {
    const store = new InMemoryModelStore();
    const registry = new ModelRegistry({ store, clock: steppingClock() });
    await registerN(registry, 2);
    await registry.promote('duration-gbdt', 1, ops);
    const revision = await store.revision('duration-gbdt');
    await expectCode(
      store.commit('duration-gbdt', revision, {
        stageChanges: [{ version: 2, from: 'candidate', to: 'production', reason: 'promote', at: 'now', by: 'x' }],
      }),
      'ILLEGAL_STAGE_TRANSITION',
    );
  });
});

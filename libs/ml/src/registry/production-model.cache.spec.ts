import { InMemoryModelStore } from './in-memory-model.store';
import { ModelRegistryError } from './model-registry.errors';
import { ModelRegistry } from './model-registry.service';
import { ProductionModelCache, type ProductionModelCacheOptions } from './production-model.cache';
import { makeTrainResult, steppingClock } from './registry.fixtures';

/** A toy "model": the artifact text; predictions echo which version answered. */
interface EchoModel {
  readonly label: string;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function setup(overrides: Partial<ProductionModelCacheOptions<EchoModel>> = {}) {
  const registry = new ModelRegistry({ store: new InMemoryModelStore(), clock: steppingClock() });
  for (const notes of ['v1', 'v2', 'v3']) await registry.register(makeTrainResult({ notes }));
  await registry.promote('duration-gbdt', 1, { by: 'ops' });
  const loads: number[] = [];
  const disposed: number[] = [];
  const cache = new ProductionModelCache<EchoModel>({
    source: registry,
    name: 'duration-gbdt',
    load: ({ version, bytes }) => {
      loads.push(version.version);
      return { label: `${version.version}:${JSON.parse(new TextDecoder().decode(bytes)).seed}` };
    },
    dispose: (_model, version) => {
      disposed.push(version.version);
    },
    ...overrides,
  });
  return { registry, cache, loads, disposed };
}

describe('ProductionModelCache', () => {
  it('loads production on first refresh and does not reload while the revision is unchanged', async () => {
    const { cache, loads } = await setup();
    expect(() => cache.use((m) => m.label)).toThrow(ModelRegistryError);
    expect(await cache.refresh()).toEqual({ status: 'swapped', to: 1 });
    expect(cache.use((m) => m.label)).toBe('1:v1');
    expect(await cache.refresh()).toEqual({ status: 'unchanged', version: 1 });
    expect(loads).toEqual([1]);
  });

  it('a promotion in the registry is seen by the cache user after the next poll; rollback likewise', async () => {
    const { registry, cache, disposed } = await setup();
    await cache.refresh();
    await registry.promote('duration-gbdt', 3, { by: 'ops' });
    expect(cache.use((m) => m.label)).toBe('1:v1'); // nothing changes until the cache looks
    expect(await cache.refresh()).toEqual({ status: 'swapped', from: 1, to: 3 });
    expect(cache.use((m, v) => [m.label, v.stage])).toEqual(['3:v3', 'production']);
    await registry.rollback('duration-gbdt', { by: 'ops' });
    await cache.notifyChanged();
    expect(cache.current()?.version.version).toBe(1);
    expect(disposed).toEqual([1, 3]);
  });

  it('a prediction in flight during the swap finishes on the old model; the old one is disposed after it', async () => {
    const { registry, cache, disposed } = await setup();
    await cache.refresh();
    const gate = deferred();
    const inFlight = cache.useAsync(async (m) => {
      await gate.promise;
      return m.label;
    });
    await registry.promote('duration-gbdt', 2, { by: 'ops' });
    await cache.refresh();
    expect(cache.use((m) => m.label)).toBe('2:v2'); // new calls see the new model at once
    expect(disposed).toEqual([]); // but v1 is still pinned by the call in flight
    gate.resolve();
    expect(await inFlight).toBe('1:v1');
    expect(disposed).toEqual([1]);
  });

  it('keeps serving the old model when the new one fails to load, and retries on the next refresh', async () => {
    let failNext = false;
    const errors: unknown[] = [];
    const { registry, cache } = await setup({
      load: ({ version }) => {
        if (failNext) {
          failNext = false;
          throw new Error('corrupt weights');
        }
        return { label: `${version.version}` };
      },
      onError: (e) => errors.push(e),
    });
    await cache.refresh();
    await registry.promote('duration-gbdt', 2, { by: 'ops' });
    failNext = true;
    expect((await cache.refresh()).status).toBe('failed');
    expect(cache.use((m) => m.label)).toBe('1');
    expect(errors).toHaveLength(1);
    expect(await cache.refresh()).toEqual({ status: 'swapped', from: 1, to: 2 });
  });

  it('refuses a production model whose feature schema differs from the serving path', async () => {
    const errors: unknown[] = [];
    const { registry, cache } = await setup({ expectedFeatures: makeTrainResult().features, onError: (e) => errors.push(e) });
    await cache.refresh();
    await registry.register(makeTrainResult({ notes: 'v4', features: ['hourOfDay'] }));
    await registry.promote('duration-gbdt', 4, { by: 'ops' });
    expect((await cache.refresh()).status).toBe('failed');
    expect((errors[0] as ModelRegistryError).code).toBe('FEATURE_SCHEMA_MISMATCH');
    expect(cache.current()?.version.version).toBe(1);
  });

  it('coalesces overlapping refreshes and loses no notification', async () => {
    const { registry, cache, loads } = await setup();
    const first = cache.refresh();
    await registry.promote('duration-gbdt', 2, { by: 'ops' });
    const second = cache.notifyChanged();
    const third = cache.notifyChanged();
    expect(second).toBe(third);
    await Promise.all([first, second]);
    expect(cache.current()?.version.version).toBe(2);
    expect(loads.length).toBeLessThanOrEqual(2);
  });

  it('polls on a timer and stops on close', async () => {
    jest.useFakeTimers();
    try {
      const { registry, cache, disposed } = await setup();
      cache.startPolling(1_000);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(cache.current()?.version.version).toBe(1);
      await registry.promote('duration-gbdt', 2, { by: 'ops' });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(cache.current()?.version.version).toBe(2);
      await cache.close();
      expect(disposed).toEqual([1, 2]);
      expect(() => cache.use((m) => m)).toThrow(ModelRegistryError);
    } finally {
      jest.useRealTimers();
    }
  });
});

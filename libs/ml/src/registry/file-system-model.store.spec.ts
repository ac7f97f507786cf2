import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRegistryFiles } from '../adapters/node-registry-files.adapter';
import { FileSystemModelStore } from './file-system-model.store';
import { ModelRegistryError, type ModelRegistryErrorCode } from './model-registry.errors';
import { ModelRegistry } from './model-registry.service';
import { makeTrainResult, steppingClock } from './registry.fixtures';

// Touches only a private temp directory; a few milliseconds per case.
describe('FileSystemModelStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-registry-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectCode(promise: Promise<unknown>, code: ModelRegistryErrorCode): Promise<ModelRegistryError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelRegistryError);
    expect((error as ModelRegistryError).code).toBe(code);
    return error as ModelRegistryError;
  }

  it('survives a restart: a second store on the same directory sees versions, stages and artifacts', async () => {
    const first = new ModelRegistry({ store: new FileSystemModelStore(dir, nodeRegistryFiles), clock: steppingClock() });
    await first.register(makeTrainResult({ notes: 'one' }));
    await first.register(makeTrainResult({ notes: 'two' }));
    await first.promote('duration-gbdt', 1, { by: 'ops' });
    await first.promote('duration-gbdt', 2, { by: 'ops' });
    await first.rollback('duration-gbdt', { by: 'ops' });

    const reopened = new ModelRegistry({ store: new FileSystemModelStore(dir, nodeRegistryFiles) });
    expect((await reopened.list('duration-gbdt')).map((v) => v.stage)).toEqual(['production', 'archived']);
    const loaded = await reopened.loadProduction('duration-gbdt');
    expect(new TextDecoder().decode(loaded.bytes)).toContain('"seed":"one"');
    expect(await reopened.listNames()).toEqual(['duration-gbdt']);
    expect(await reopened.revision('duration-gbdt')).toBe(5);
  });

  it('detects an artifact file changed on disk (CHECKSUM_MISMATCH names the file)', async () => {
    const store = new FileSystemModelStore(dir, nodeRegistryFiles);
    const registry = new ModelRegistry({ store, clock: steppingClock() });
    const v1 = await registry.register(makeTrainResult());
    await writeFile(store.artifactPath(v1.artifact.checksum), 'tampered');
    const error = await expectCode(registry.loadArtifact('duration-gbdt', 1), 'CHECKSUM_MISMATCH');
    expect(error.message).toContain(`${v1.artifact.checksum}.bin`);
    // Re-putting the same bytes repairs the copy.
    await store.putArtifact(makeTrainResult().artifact);
    await expect(registry.loadArtifact('duration-gbdt', 1)).resolves.toBeDefined();
  });

  it('reports a missing artifact file', async () => {
    const store = new FileSystemModelStore(dir, nodeRegistryFiles);
    const registry = new ModelRegistry({ store, clock: steppingClock() });
    const v1 = await registry.register(makeTrainResult());
    await rm(store.artifactPath(v1.artifact.checksum));
    await expectCode(registry.loadArtifact('duration-gbdt', 1), 'ARTIFACT_NOT_FOUND');
    await expectCode(store.getArtifact('../../etc/passwd'), 'ARTIFACT_NOT_FOUND');
  });

  it('two store instances on one directory: a stale commit gets REVISION_CONFLICT', async () => {
    const a = new FileSystemModelStore(dir, nodeRegistryFiles);
    const b = new FileSystemModelStore(dir, nodeRegistryFiles);
    await new ModelRegistry({ store: a, clock: steppingClock() }).register(makeTrainResult());
    await new ModelRegistry({ store: a, clock: steppingClock() }).register(makeTrainResult({ notes: 'b' }));
    const revision = await b.revision('duration-gbdt');
    const promote = (version: number) => ({
      stageChanges: [{ version, from: 'candidate' as const, to: 'production' as const, reason: 'promote' as const, at: 't', by: 'x' }],
    });
    const results = await Promise.allSettled([a.commit('duration-gbdt', revision, promote(1)), b.commit('duration-gbdt', revision, promote(2))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as ModelRegistryError).code).toBe('REVISION_CONFLICT');
    expect(await new ModelRegistry({ store: b }).list('duration-gbdt', 'production')).toHaveLength(1);
  });

  it('waits for a held lock, then gives up with STORE_BUSY; breaks a stale lock', async () => {
    const store = new FileSystemModelStore(dir, nodeRegistryFiles, { lockTimeoutMs: 60, staleLockMs: 10_000 });
    const registry = new ModelRegistry({ store, clock: steppingClock() });
    await registry.register(makeTrainResult());
    const lock = join(dir, 'models', 'duration-gbdt.lock');
    await writeFile(lock, '999999\n');
    await expectCode(registry.promote('duration-gbdt', 1, { by: 'ops' }), 'STORE_BUSY');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect((await registry.promote('duration-gbdt', 1, { by: 'ops' })).stage).toBe('production');
  });

  it.each([
    ['not JSON', '{oops', 'not valid JSON'],
    ['wrong format tag', JSON.stringify({ format: 'other', snapshot: {} }), 'expected {"format"'],
    [
      'gap in version numbers',
      JSON.stringify({
        format: 'kairos-model-registry/1',
        snapshot: { name: 'duration-gbdt', revision: 1, versions: [{ version: 2 }], history: [] },
      }),
      'snapshot.versions[0].version must be 1',
    ],
  ])('refuses a corrupt snapshot file (%s), naming the file and field', async (_label, content, detail) => {
    const store = new FileSystemModelStore(dir, nodeRegistryFiles);
    await new ModelRegistry({ store }).register(makeTrainResult());
    await writeFile(store.snapshotPath('duration-gbdt'), content);
    const error = await expectCode(store.load('duration-gbdt'), 'STORE_CORRUPT');
    expect(error.message).toContain('duration-gbdt.json');
    expect(error.message).toContain(detail);
  });
});

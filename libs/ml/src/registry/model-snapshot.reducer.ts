import { ModelRegistryError } from './model-registry.errors';
import type { ModelMutation } from './model-store.port';
import type { ModelSnapshot, ModelStage, ModelVersion } from './model-version.model';

export function emptySnapshot(name: string): ModelSnapshot {
  return { name, revision: 0, versions: [], history: [] };
}

/**
 * Pure: the snapshot after `mutation`, revision + 1. Stores call this so every adapter enforces the
 * same invariants (dense version numbers, stage moves that start from the recorded stage, at most one
 * production version) no matter which service wrote the mutation.
 */
export function applyModelMutation(snapshot: ModelSnapshot, mutation: ModelMutation): ModelSnapshot {
  const versions = new Map<number, ModelVersion>(snapshot.versions.map((v) => [v.version, v]));
  if (mutation.added) {
    const added = mutation.added;
    const expected = snapshot.versions.length + 1;
    if (added.name !== snapshot.name || added.version !== expected) {
      throw new ModelRegistryError(
        'STORE_CORRUPT',
        `model ${snapshot.name}: new version must be ${snapshot.name}@${expected}, got ${added.name}@${added.version}`,
      );
    }
    versions.set(added.version, added);
  }
  for (const change of mutation.stageChanges) {
    const current = versions.get(change.version);
    if (!current) {
      throw new ModelRegistryError('VERSION_NOT_FOUND', `model ${snapshot.name}@${change.version} does not exist`, {
        name: snapshot.name,
        version: change.version,
      });
    }
    const registering = change.reason === 'register' && mutation.added?.version === change.version;
    const from: ModelStage | null = registering ? null : current.stage;
    if (change.from !== from) {
      throw new ModelRegistryError(
        'ILLEGAL_STAGE_TRANSITION',
        `model ${snapshot.name}@${change.version} is ${current.stage}, change expected ${String(change.from)}`,
        { name: snapshot.name, version: change.version },
      );
    }
    versions.set(change.version, { ...current, stage: change.to, stageChangedAt: change.at });
  }
  const ordered = [...versions.values()].sort((a, b) => a.version - b.version);
  const production = ordered.filter((v) => v.stage === 'production');
  if (production.length > 1) {
    throw new ModelRegistryError(
      'ILLEGAL_STAGE_TRANSITION',
      `model ${snapshot.name}: mutation would leave ${production.length} production versions (${production
        .map((v) => v.version)
        .join(', ')})`,
      { name: snapshot.name },
    );
  }
  return {
    name: snapshot.name,
    revision: snapshot.revision + 1,
    versions: ordered,
    history: [...snapshot.history, ...mutation.stageChanges],
  };
}

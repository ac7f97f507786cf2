import { ModelRegistryError } from './model-registry.errors';

// Names become file names in FileSystemModelStore and keys in PostgreSQL, so keep them boring.
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertModelName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new ModelRegistryError(
      'INVALID_MODEL_NAME',
      `model name ${JSON.stringify(name)} must match ${MODEL_NAME.source}`,
      { name },
    );
  }
}

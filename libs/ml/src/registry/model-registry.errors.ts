export type ModelRegistryErrorCode =
  | 'INVALID_MODEL_NAME'
  | 'INVALID_TRAIN_RESULT'
  | 'MODEL_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'NO_PRODUCTION_VERSION'
  | 'NO_ROLLBACK_TARGET'
  | 'ILLEGAL_STAGE_TRANSITION'
  | 'ARTIFACT_NOT_FOUND'
  | 'CHECKSUM_MISMATCH'
  | 'FEATURE_SCHEMA_MISMATCH'
  | 'REVISION_CONFLICT'
  | 'STORE_CORRUPT'
  | 'STORE_BUSY';

/** Codes a caller may retry after re-reading the registry (another replica got there first, or a lock was held). */
export const RETRYABLE_REGISTRY_CODES: readonly ModelRegistryErrorCode[] = ['REVISION_CONFLICT', 'STORE_BUSY'];

/** Typed failure of the model registry, its stores and the production-model cache. */
export class ModelRegistryError extends Error {
  constructor(
    readonly code: ModelRegistryErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'ModelRegistryError';
  }

  get retryable(): boolean {
    return RETRYABLE_REGISTRY_CODES.includes(this.code);
  }
}

export function isModelRegistryError(error: unknown, code?: ModelRegistryErrorCode): error is ModelRegistryError {
  return error instanceof ModelRegistryError && (code === undefined || error.code === code);
}

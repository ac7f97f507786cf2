export type ExplainErrorCode =
  /** The model has no per-node training covers and no background data was given to estimate them. */
  | 'COVERS_UNAVAILABLE'
  | 'INVALID_INPUT'
  | 'INVALID_PARAMS';

/** Typed failure of the explanation code (attributions, importances). */
export class ExplainError extends Error {
  constructor(
    readonly code: ExplainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExplainError';
  }
}

export function isExplainError(e: unknown, code?: ExplainErrorCode): e is ExplainError {
  return e instanceof ExplainError && (code === undefined || e.code === code);
}

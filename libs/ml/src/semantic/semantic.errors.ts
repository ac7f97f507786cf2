export type SemanticErrorCode = 'INVALID_CONFIG' | 'INVALID_INPUT' | 'INVALID_ARTIFACT';

/** Typed failure of the semantic feature code. */
export class SemanticFeatureError extends Error {
  constructor(
    readonly code: SemanticErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SemanticFeatureError';
  }
}

export type DriftErrorCode = 'INVALID_SAMPLE' | 'FEATURE_MISSING' | 'INVALID_POLICY' | 'INVALID_OBSERVATION';

/** Typed failure of the drift and accuracy maths: bad samples, missing features, bad thresholds. */
export class DriftError extends Error {
  constructor(
    readonly code: DriftErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'DriftError';
  }
}

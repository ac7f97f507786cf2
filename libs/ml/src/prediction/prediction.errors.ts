export type PredictionErrorCode =
  | 'INVALID_TRAINING_DATA'
  | 'INVALID_PARAMS'
  | 'INVALID_FEATURES'
  | 'INVALID_ARTIFACT'
  | 'INVALID_TRACE';

/** Typed failure for prediction models: bad inputs, bad artifacts, bad trace rows. */
export class PredictionError extends Error {
  constructor(
    readonly code: PredictionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PredictionError';
  }
}

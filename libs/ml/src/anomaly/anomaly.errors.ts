export type AnomalyErrorCode = 'UNKNOWN_DETECTOR' | 'INVALID_CONFIG' | 'INVALID_INPUT';

export class AnomalyDetectorError extends Error {
  constructor(
    readonly code: AnomalyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnomalyDetectorError';
  }
}

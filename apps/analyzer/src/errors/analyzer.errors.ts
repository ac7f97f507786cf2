import { formatZodIssues } from '@kairos/contracts';
import { isDeployGateError, isModelRegistryError, PatternError, ServingError, type ModelRegistryErrorCode } from '@kairos/ml';
import { DomainError } from '@kairos/platform';
import type { z } from 'zod';

export type AnalyzerErrorCode =
  | 'VALIDATION_FAILED'
  | 'MODEL_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'PREDICTION_NOT_FOUND'
  | 'RULE_NOT_FOUND'
  | 'RULE_EXISTS'
  | 'NO_PRODUCTION_VERSION'
  | 'NO_ROLLBACK_TARGET'
  | 'ILLEGAL_STAGE_TRANSITION'
  | 'CONCURRENT_CHANGE'
  | 'INSUFFICIENT_HISTORY'
  | 'TRAINING_IN_PROGRESS'
  | 'MODEL_STORE_FAILED'
  | 'DEPLOY_GATE_REFUSED';

export class AnalyzerError extends DomainError<AnalyzerErrorCode> {
  constructor(
    readonly code: AnalyzerErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export function httpStatusOf(code: AnalyzerErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'MODEL_NOT_FOUND':
    case 'VERSION_NOT_FOUND':
    case 'PREDICTION_NOT_FOUND':
    case 'RULE_NOT_FOUND':
      return 404;
    case 'RULE_EXISTS':
    case 'NO_PRODUCTION_VERSION':
    case 'NO_ROLLBACK_TARGET':
    case 'ILLEGAL_STAGE_TRANSITION':
    case 'CONCURRENT_CHANGE':
    case 'INSUFFICIENT_HISTORY':
    case 'TRAINING_IN_PROGRESS':
    case 'DEPLOY_GATE_REFUSED':
      return 409;
    case 'MODEL_STORE_FAILED':
      return 500;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export const analyzerStatusOf = (err: DomainError): number | undefined => (err instanceof AnalyzerError ? httpStatusOf(err.code) : undefined);

function registryCode(code: ModelRegistryErrorCode): AnalyzerErrorCode {
  switch (code) {
    case 'INVALID_MODEL_NAME':
    case 'INVALID_TRAIN_RESULT':
    case 'FEATURE_SCHEMA_MISMATCH':
      return 'VALIDATION_FAILED';
    case 'MODEL_NOT_FOUND':
      return 'MODEL_NOT_FOUND';
    case 'VERSION_NOT_FOUND':
      return 'VERSION_NOT_FOUND';
    case 'NO_PRODUCTION_VERSION':
      return 'NO_PRODUCTION_VERSION';
    case 'NO_ROLLBACK_TARGET':
      return 'NO_ROLLBACK_TARGET';
    case 'ILLEGAL_STAGE_TRANSITION':
      return 'ILLEGAL_STAGE_TRANSITION';
    case 'REVISION_CONFLICT':
    case 'STORE_BUSY':
      return 'CONCURRENT_CHANGE';
    case 'ARTIFACT_NOT_FOUND':
    case 'CHECKSUM_MISMATCH':
    case 'STORE_CORRUPT':
      return 'MODEL_STORE_FAILED';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** Translates libs/ml's typed failures into the analyzer's HTTP-mapped errors; anything else passes through. */
export function toAnalyzerError(e: unknown): unknown {
  if (isModelRegistryError(e)) return new AnalyzerError(registryCode(e.code), e.message, { ...e.details, registryCode: e.code });
  if (isDeployGateError(e)) {
    return e.code === 'DEPLOY_GATE_REFUSED'
      ? new AnalyzerError('DEPLOY_GATE_REFUSED', `deploy gate refused: ${e.message}; deploy with {"force":{"reason":"…"}} to override (audited)`, { verdict: e.verdict })
      : new AnalyzerError('VALIDATION_FAILED', e.message);
  }
  if (e instanceof ServingError) return new AnalyzerError(e.code === 'INSUFFICIENT_HISTORY' ? 'INSUFFICIENT_HISTORY' : 'MODEL_STORE_FAILED', e.message);
  if (e instanceof PatternError) return new AnalyzerError(e.code === 'INVALID_INPUT' ? 'INSUFFICIENT_HISTORY' : 'VALIDATION_FAILED', e.message);
  return e;
}

export async function mapErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toAnalyzerError(e);
  }
}

/** Parses an HTTP body or query; a 400 names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = formatZodIssues(r.error);
  throw new AnalyzerError('VALIDATION_FAILED', `invalid ${what}: ${issues.join('; ')}`, { issues });
}

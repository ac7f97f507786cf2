import { DomainError } from '@kairos/platform';

export type GatewayErrorCode = 'VALIDATION_FAILED' | 'TASK_NOT_FOUND' | 'IDEMPOTENCY_CONFLICT' | 'TASK_ALREADY_FINISHED' | 'UNAUTHORIZED' | 'WORKFLOW_NOT_FOUND' | 'WORKFLOW_NOT_RERUNNABLE' | 'WORKFLOW_ALREADY_FINISHED' | 'API_KEY_NOT_FOUND' | 'LAST_ADMIN_KEY' | 'SCHEDULE_NOT_FOUND' | 'TENANT_QUOTA_EXCEEDED';

export class GatewayError extends DomainError<GatewayErrorCode> {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export function httpStatusOf(code: GatewayErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'TASK_NOT_FOUND':
    case 'WORKFLOW_NOT_FOUND':
    case 'API_KEY_NOT_FOUND':
    case 'SCHEDULE_NOT_FOUND':
      return 404;
    case 'IDEMPOTENCY_CONFLICT':
    case 'TASK_ALREADY_FINISHED':
    case 'WORKFLOW_NOT_RERUNNABLE':
    case 'WORKFLOW_ALREADY_FINISHED':
    case 'LAST_ADMIN_KEY':
      return 409;
    case 'TENANT_QUOTA_EXCEEDED':
      return 429;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export const gatewayStatusOf = (err: DomainError): number | undefined => (err instanceof GatewayError ? httpStatusOf(err.code) : undefined);

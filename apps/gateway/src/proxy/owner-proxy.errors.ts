import { DomainError } from '@kairos/platform';

/** Why the gateway could not get an answer from the service that owns an endpoint. */
export type OwnerProxyErrorCode = 'OWNER_NOT_CONFIGURED' | 'OWNER_UNAVAILABLE' | 'OWNER_TIMEOUT';

export class OwnerProxyError extends DomainError<OwnerProxyErrorCode> {
  constructor(
    readonly code: OwnerProxyErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export function ownerProxyHttpStatus(code: OwnerProxyErrorCode): number {
  switch (code) {
    case 'OWNER_NOT_CONFIGURED':
    case 'OWNER_UNAVAILABLE':
      return 503;
    case 'OWNER_TIMEOUT':
      return 504;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export const ownerProxyStatusOf = (err: DomainError): number | undefined => (err instanceof OwnerProxyError ? ownerProxyHttpStatus(err.code) : undefined);

import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from '@kairos/platform';

/**
 * Route metadata for ApiKeyGuard. Every route declares what it needs, on the controller or the
 * handler (the handler wins):
 *   @RequireScope('read')   on a controller of GET endpoints
 *   @RequireScope('submit') on POST /api/tasks
 *   @Public()               on /health, /metrics, the dashboard page and /docs (no data behind them)
 * A route with neither requires `admin`: a forgotten annotation fails closed.
 */
export const REQUIRED_SCOPE = 'kairos:requiredScope';
export const PUBLIC_ROUTE = 'kairos:publicRoute';
export const DEFAULT_REQUIRED_SCOPE: ApiKeyScope = 'admin';

export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export type RouteRequirement = { kind: 'public' } | { kind: 'scope'; scope: ApiKeyScope; declared: boolean };

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;

/** What a handler needs: its own annotation if any, else its controller's, else DEFAULT_REQUIRED_SCOPE. */
export function routeRequirement(reflector: Reflector, handler: Handler, controller: Controller): RouteRequirement {
  for (const target of [handler, controller]) {
    const scope = reflector.get<ApiKeyScope | undefined>(REQUIRED_SCOPE, target);
    if (scope) return { kind: 'scope', scope, declared: true };
    if (reflector.get<boolean | undefined>(PUBLIC_ROUTE, target)) return { kind: 'public' };
  }
  return { kind: 'scope', scope: DEFAULT_REQUIRED_SCOPE, declared: false };
}

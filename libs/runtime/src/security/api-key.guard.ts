import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyError, parseApiKey, satisfies, verifyApiKey, type ApiKeyScope, type TokenBucketLimiter } from '@kairos/platform';
import { DEFAULT_TENANT } from '@kairos/contracts';
import { routeRequirement } from './route-scope.decorator';

/** Port: find a stored key by its public id (the gateway binds it to its api_keys repository). */
export const API_KEY_LOOKUP = Symbol('API_KEY_LOOKUP');
/** Optional: a TokenBucketLimiter keyed by key id (429 with Retry-After when empty). */
export const API_KEY_RATE_LIMITER = Symbol('API_KEY_RATE_LIMITER');
/** Optional ApiKeyGuardOptions (default: keys enforced, no extra origins). */
export const API_KEY_GUARD_OPTIONS = Symbol('API_KEY_GUARD_OPTIONS');

export interface ApiKeyGuardOptions {
  /** false (KAIROS_AUTH=off, loopback only): every route is open and nothing is checked. */
  enforced: boolean;
  /** Origins besides the request's own that may send state-changing requests with the session cookie. */
  allowedOrigins: readonly string[];
}

/** The dashboard's session cookie (HttpOnly, SameSite=Strict): it carries the key it was exchanged for. */
export const SESSION_COOKIE = 'kairos_session';

export interface StoredApiKey {
  keyId: string;
  /** SHA-256 hex of the whole key (digestApiKey). */
  digest: string;
  scopes: readonly ApiKeyScope[];
  revokedAt: Date | null;
  /** The tenant the key belongs to (DEFAULT_TENANT for keys made before tenants). */
  tenant: string;
}

export interface ApiKeyLookup {
  findByKeyId(keyId: string): Promise<StoredApiKey | null>;
}

/** What a request authenticated as: the key id (safe to log and audit), never the key. */
export interface AuthenticatedKey {
  keyId: string;
  scopes: readonly ApiKeyScope[];
  /** The key's tenant: what it submits belongs to it, and (unless admin) it sees only that tenant's objects. */
  tenant: string;
}

const AUTHENTICATED = new WeakMap<object, AuthenticatedKey>();

/** The key a request authenticated with (null on public routes). */
export function authenticatedKeyOf(req: object): AuthenticatedKey | null {
  return AUTHENTICATED.get(req) ?? null;
}

/**
 * Which tenants' objects a request may see and act on: `tenant` is the one it submits as; `all` when
 * it may see every tenant (an admin key, or KAIROS_AUTH=off where no key is checked). Services take
 * this, never the request.
 */
export interface TenantAccess {
  readonly tenant: string;
  readonly all: boolean;
}

export const UNRESTRICTED_ACCESS: TenantAccess = { tenant: DEFAULT_TENANT, all: true };

export function tenantAccessOf(req: object): TenantAccess {
  const k = authenticatedKeyOf(req);
  if (!k) return UNRESTRICTED_ACCESS;
  return { tenant: k.tenant, all: k.scopes.includes('admin') };
}

/** May `access` see an object of `tenant`? */
export function canSeeTenant(access: TenantAccess, tenant: string): boolean {
  return access.all || access.tenant === tenant;
}

/**
 * The tenant filter of a list: an admin sees every tenant unless it asks for one (`?tenant=`); any
 * other key sees its own tenant only (a `?tenant=` naming another one shows nothing).
 */
export function tenantFilterOf(access: TenantAccess, requested?: string): string | null {
  if (access.all) return requested ?? null;
  return access.tenant;
}

/**
 * Who made a request, for audit records: `api:key:<key id>` (never the key), or `api` where
 * authentication is off (KAIROS_AUTH=off) or the route is public.
 */
export function requestActor(req: object): string {
  const k = authenticatedKeyOf(req);
  return k ? `api:key:${k.keyId}` : 'api';
}

/**
 * The presented key: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Never a query parameter
 * (URLs end up in logs, proxies and browser history).
 */
export function extractApiKey(headers: Request['headers']): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new ApiKeyError('KEY_MALFORMED', 'Authorization must be "Bearer <API key>"');
    return m[1];
  }
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  return null;
}

/** The value of one cookie in a Cookie header (null when absent). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value.replace(/^"(.*)"$/, '$1'));
    } catch {
      return value;
    }
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A cookie rides along with every request the browser makes, whoever's page caused it, so a
 * state-changing request authenticated by the cookie alone must prove it came from the dashboard: an
 * Origin equal to the request's own (scheme-less host comparison: Host is what the browser connected
 * to) or an allowed origin. SameSite=Strict already keeps the cookie off cross-site requests; this also
 * covers same-site pages on other ports (another local service) and browsers that ignore SameSite.
 */
export function sessionOriginAllowed(method: string, headers: Request['headers'], allowedOrigins: readonly string[]): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return false;
  if (allowedOrigins.some((o) => o.toLowerCase() === origin.toLowerCase())) return true;
  try {
    const host = headers.host;
    return typeof host === 'string' && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The HTTP request behind a handler: REST directly; a GraphQL resolver through its context (the third
 * resolver argument), whose `req` carries the headers (for a graphql-ws subscription, the connection
 * parameters as headers).
 */
function requestOf(context: ExecutionContext): { req: Pick<Request, 'headers'>; res: Pick<Response, 'setHeader'> | null } {
  if (context.getType<string>() === 'graphql') {
    const ctx = context.getArgByIndex<{ req?: Pick<Request, 'headers'>; res?: Pick<Response, 'setHeader'> } | undefined>(2);
    return { req: ctx?.req ?? { headers: {} }, res: ctx?.res ?? null };
  }
  const http = context.switchToHttp();
  return { req: http.getRequest<Request>(), res: http.getResponse<Response>() };
}

/**
 * Authenticates every request by API key and checks the route's scope (see route-scope.decorator).
 * 401 (KEY_*) when the key is missing, malformed, unknown, wrong or revoked; 429 when over its rate;
 * 403 (SCOPE_INSUFFICIENT) when valid but not enough. Revocation is checked after the secret so only
 * a holder of the key learns it was revoked.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(API_KEY_LOOKUP) private readonly keys: ApiKeyLookup,
    @Optional() @Inject(API_KEY_RATE_LIMITER) private readonly limiter?: TokenBucketLimiter | null,
    @Optional() @Inject(API_KEY_GUARD_OPTIONS) private readonly options: ApiKeyGuardOptions = { enforced: true, allowedOrigins: [] },
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Bus handlers (rpc: Kafka consumers of this hybrid app) are not requests; REST and GraphQL are.
    const type = context.getType<string>();
    if (type !== 'http' && type !== 'graphql') return true;
    const need = routeRequirement(this.reflector, context.getHandler(), context.getClass());
    if (need.kind === 'public' || !this.options.enforced) return true;
    const { req, res } = requestOf(context);
    let token = extractApiKey(req.headers);
    if (!token) {
      token = readCookie(typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined, SESSION_COOKIE);
      // A GraphQL subscription's "request" (graphql-ws connection parameters) has no method: it reads.
      const method = (req as { method?: string }).method ?? 'GET';
      if (token && !sessionOriginAllowed(method, req.headers, this.options.allowedOrigins)) {
        throw new ApiKeyError('SESSION_ORIGIN_REQUIRED', 'a state-changing request authenticated by the session cookie must carry an Origin header of this server (or an ALLOWED_ORIGINS entry)', {
          origin: typeof req.headers.origin === 'string' ? req.headers.origin.slice(0, 200) : null,
        });
      }
    }
    if (!token) throw new ApiKeyError('KEY_MISSING', 'this endpoint needs an API key: send "Authorization: Bearer <key>"', { requiredScope: need.scope });
    const { keyId } = parseApiKey(token);
    const stored = await this.keys.findByKeyId(keyId);
    if (!stored) throw new ApiKeyError('KEY_UNKNOWN', `API key ${keyId} does not exist`, { keyId });
    if (!verifyApiKey(token, stored.digest)) throw new ApiKeyError('KEY_INVALID', `API key ${keyId}: wrong secret`, { keyId });
    if (stored.revokedAt) throw new ApiKeyError('KEY_REVOKED', `API key ${keyId} was revoked at ${stored.revokedAt.toISOString()}`, { keyId });
    if (this.limiter) {
      const d = this.limiter.take(keyId);
      if (!d.allowed) {
        res?.setHeader('Retry-After', String(d.retryAfterSec));
        throw new ApiKeyError('RATE_LIMITED', `API key ${keyId} is over its rate limit; retry in ${d.retryAfterSec} s`, { keyId, retryAfterSec: d.retryAfterSec });
      }
    }
    if (!satisfies(stored.scopes, need.scope)) {
      throw new ApiKeyError('SCOPE_INSUFFICIENT', `this endpoint needs scope "${need.scope}"; key ${keyId} has ${stored.scopes.join(', ') || 'none'}`, {
        keyId,
        requiredScope: need.scope,
        keyScopes: stored.scopes,
      });
    }
    AUTHENTICATED.set(req, { keyId, scopes: stored.scopes, tenant: stored.tenant });
    return true;
  }
}

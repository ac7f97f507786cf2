import { Inject, Injectable } from '@nestjs/common';
import type { KairosConfig } from '@kairos/platform';
import { CONFIG } from '@kairos/runtime';
import { OwnerProxyError } from './owner-proxy.errors';
import { FORWARDED_REQUEST_HEADERS, FORWARDED_RESPONSE_HEADERS, OWNER_URL_VARIABLE, replicaOrder, type OwnerService } from './owner-routes';

/** The HTTP client the proxy uses (global fetch in production; tests pass a fake). */
export const OWNER_FETCH = Symbol('OWNER_FETCH');
export type OwnerFetch = (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response>;

export interface ForwardedRequest {
  method: string;
  /** Path and query, e.g. /api/models?x=1. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Already parsed by the JSON body parser; undefined for none. */
  body: unknown;
}

export interface OwnerAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Failures where the request never reached the owner, so another replica may take it, whatever the method. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function causeCode(err: unknown): string {
  const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined;
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'ERROR';
}

/**
 * Forwards a request to the replicas of the service that owns it (ANALYZER_URLS, COLLECTOR_URLS,
 * EXECUTOR_URLS), round robin, each try bounded by GATEWAY_PROXY_TIMEOUT_MS. A replica that refuses
 * the connection is skipped; an idempotent request also moves on after a timeout or reset. When no
 * replica answers: 503 OWNER_UNAVAILABLE (504 OWNER_TIMEOUT when the last one timed out) naming the
 * service and the addresses tried. The owner's answer, errors included, is passed back as it is.
 */
@Injectable()
export class OwnerProxyService {
  private turn = 0;

  constructor(
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(OWNER_FETCH) private readonly fetchOwner: OwnerFetch,
  ) {}

  async forward(owner: OwnerService, req: ForwardedRequest): Promise<OwnerAnswer> {
    const variable = OWNER_URL_VARIABLE[owner];
    const urls = this.config[variable];
    if (urls.length === 0) {
      throw new OwnerProxyError('OWNER_NOT_CONFIGURED', `${req.url} is served by the ${owner}, and this gateway does not know where it is: set ${variable} (e.g. http://${owner}:3002)`, { owner, variable });
    }
    const method = req.method.toUpperCase();
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
      else if (Array.isArray(v)) headers[h] = v.join(', ');
    }
    const body = method !== 'GET' && method !== 'HEAD' && req.body !== undefined ? JSON.stringify(req.body) : undefined;
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const tried: string[] = [];
    let lastCode = '';
    for (const base of replicaOrder(urls, this.turn++)) {
      tried.push(base);
      try {
        const res = await this.fetchOwner(`${base}${req.url}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.config.GATEWAY_PROXY_TIMEOUT_MS) });
        const out: Record<string, string> = {};
        for (const h of FORWARDED_RESPONSE_HEADERS) {
          const v = res.headers.get(h);
          if (v !== null) out[h] = v;
        }
        return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
      } catch (err) {
        lastCode = causeCode(err);
        if (!NOT_DELIVERED.has(lastCode) && !IDEMPOTENT.has(method)) break;
      }
    }
    const details = { owner, variable, tried, cause: lastCode };
    if (lastCode === 'TimeoutError') {
      throw new OwnerProxyError('OWNER_TIMEOUT', `the ${owner} did not answer ${method} ${req.url} within ${this.config.GATEWAY_PROXY_TIMEOUT_MS} ms (GATEWAY_PROXY_TIMEOUT_MS); tried ${tried.join(', ')}`, details);
    }
    throw new OwnerProxyError('OWNER_UNAVAILABLE', `the ${owner} is unreachable (${lastCode}) at ${tried.join(', ')} (${variable}); ${method} ${req.url} was not served`, details);
  }
}

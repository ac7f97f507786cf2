import { createHash } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { KairosConfig } from '@kairos/platform';
import { isLoopbackHost } from './bind-policy';

/**
 * Browser-attack defences for an express (or Nest-on-express) app, in order:
 *   1. helmet's security headers on every answer, no X-Powered-By;
 *   2. Host must be allow-listed (loopback names always; DNS rebinding sends the attacker's name) → 421;
 *   3. strict CORS: only configured origins get Access-Control-Allow-Origin (never `*`);
 *   4. state-changing methods from a browser must come from the same origin or a configured one → 403
 *      (a form auto-submitted by a page on another local port is refused here, and again by step 5);
 *   5. a body on POST/PUT/PATCH/DELETE must be application/json in UTF-8 (forms, text/plain → 415);
 *   6. the JSON body parser with a byte limit (per route for batch routes); its failures answer
 *      400/413/415 in the project's error shape instead of express's HTML 500s.
 * Every rejection is `{ error: CODE, message, details }`, the shape HttpErrorFilter gives the rest.
 */

export type HttpSecurityErrorCode = 'HOST_MISSING' | 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'MALFORMED_BODY';

export function httpSecurityErrorStatus(code: HttpSecurityErrorCode): number {
  switch (code) {
    case 'HOST_MISSING':
    case 'MALFORMED_BODY':
      return 400;
    case 'HOST_NOT_ALLOWED':
      return 421;
    case 'ORIGIN_NOT_ALLOWED':
      return 403;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    default: {
      const never: never = code;
      return never;
    }
  }
}

function reject(res: Response, code: HttpSecurityErrorCode, message: string, details: Record<string, unknown> = {}): void {
  res.status(httpSecurityErrorStatus(code)).json({ error: code, message, details });
}

export const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

export interface RouteBodyLimit {
  method: string;
  /** Exact path (`/api/workflows`) or a pattern. */
  path: string | RegExp;
  limitBytes: number;
}

export interface HttpSecurityOptions {
  /** Host header values accepted besides LOOPBACK_HOST_NAMES: `name` (any port) or `name:port`. */
  allowedHosts: readonly string[];
  /** Cross-origin callers allowed (exact `scheme://host[:port]`); the same origin always is. */
  allowedOrigins: readonly string[];
  /** Default body limit. */
  bodyLimitBytes: number;
  /** Larger (or smaller) limits for some routes, e.g. batch submissions. */
  routeBodyLimits?: readonly RouteBodyLimit[];
  /** CSP hashes ('sha256-…') of inline scripts the app serves (see inlineScriptHashes). */
  scriptHashes?: readonly string[];
}

interface HostRule {
  name: string;
  port: string | null;
}

/** `Example.COM:443` → { name: 'example.com', port: '443' }; `[::1]:3000` → { name: '[::1]', port: '3000' }. */
function parseHost(value: string): HostRule | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase().replace(/\.$/, ''), port: m[2] ?? null };
}

export function hostGuard(allowedHosts: readonly string[]): RequestHandler {
  const rules = [...LOOPBACK_HOST_NAMES, ...allowedHosts].map(parseHost).filter((r): r is HostRule => r !== null);
  return (req, res, next) => {
    const header = req.headers.host;
    if (!header) return reject(res, 'HOST_MISSING', 'the Host header is required');
    const host = parseHost(header);
    if (host && rules.some((r) => r.name === host.name && (r.port === null || r.port === host.port))) return next();
    reject(res, 'HOST_NOT_ALLOWED', `Host ${JSON.stringify(header.slice(0, 200))} is not served here; add it to ALLOWED_HOSTS if this server should answer to that name`, {
      host: header.slice(0, 200),
    });
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

export function originGuard(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (origin !== 'null' && (allowed.has(origin.toLowerCase()) || sameOrigin(origin, req.headers.host))) return next();
      return reject(res, 'ORIGIN_NOT_ALLOWED', `requests from origin ${JSON.stringify(origin.slice(0, 200))} may not change anything here; add it to ALLOWED_ORIGINS if it should`, {
        origin: origin.slice(0, 200),
      });
    }
    // No Origin: curl and other non-browser clients. A browser that omits it still says where the request came from.
    const site = req.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin' || site === 'none') return next();
    reject(res, 'ORIGIN_NOT_ALLOWED', `cross-site request refused (Sec-Fetch-Site: ${String(site).slice(0, 50)})`, { secFetchSite: String(site).slice(0, 50) });
  };
}

export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  return cors({
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin.toLowerCase()) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Api-Key'],
    exposedHeaders: ['Retry-After'],
    credentials: false,
    maxAge: 600,
  });
}

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate', 'br']);

export function jsonOnly(): RequestHandler {
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method) || !hasBody(req)) return next();
    const raw = req.headers['content-type'] ?? '';
    const [type, ...params] = raw.split(';').map((p) => p.trim());
    if (type.toLowerCase() !== 'application/json') {
      return reject(res, 'UNSUPPORTED_MEDIA_TYPE', `request bodies must be application/json (got ${JSON.stringify(raw.slice(0, 100) || 'no Content-Type')})`, {
        contentType: raw.slice(0, 100),
      });
    }
    const charset = params.map((p) => /^charset\s*=\s*"?([^";]+)"?$/i.exec(p)?.[1]).find((c) => c !== undefined);
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      return reject(res, 'UNSUPPORTED_MEDIA_TYPE', `JSON bodies must be UTF-8 (got charset ${JSON.stringify(charset.slice(0, 40))})`, { charset: charset.slice(0, 40) });
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (!ENCODINGS.has(encoding)) {
      return reject(res, 'UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported (identity, gzip, deflate, br)`, { contentEncoding: encoding.slice(0, 40) });
    }
    next();
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
  code?: string;
  message?: string;
  limit?: number;
  charset?: string;
}

/** body-parser / raw-body / zlib failures → the project's error shape. */
export function sendBodyParserError(res: Response, err: unknown, req: Request): void {
  const e = (err ?? {}) as BodyParserError;
  const message = String(e.message ?? 'unreadable body').slice(0, 300);
  switch (e.type) {
    case 'entity.too.large':
      return reject(res, 'PAYLOAD_TOO_LARGE', `request body exceeds ${e.limit ?? 'the'} bytes${req.headers['content-encoding'] ? ' (after decompression)' : ''}`, { limitBytes: e.limit });
    case 'charset.unsupported':
      return reject(res, 'UNSUPPORTED_MEDIA_TYPE', `JSON bodies must be UTF-8 (got charset ${JSON.stringify(e.charset ?? '')})`, { charset: e.charset });
    case 'encoding.unsupported':
      return reject(res, 'UNSUPPORTED_MEDIA_TYPE', message);
    case 'entity.parse.failed':
      return reject(res, 'MALFORMED_BODY', `body is not valid JSON: ${message}`);
    case 'request.aborted':
      return reject(res, 'MALFORMED_BODY', 'the client aborted the request body');
    case 'request.size.invalid':
      return reject(res, 'MALFORMED_BODY', 'the body is shorter or longer than its Content-Length');
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && typeof e.code === 'string') {
    // zlib (Z_DATA_ERROR…) or brotli (ERR__ERROR_FORMAT_…) failure; body-parser rewrites its message to "Bad Request".
    return reject(res, 'MALFORMED_BODY', `body could not be decompressed (Content-Encoding: ${encoding.slice(0, 40)})`, { decompressionError: e.code.slice(0, 60) });
  }
  // Anything else body-parser reports is the client's too (it sets 4xx statuses); say what it said.
  reject(res, 'MALFORMED_BODY', `unreadable request body: ${message}`);
}

export function jsonBodyParser(defaultLimitBytes: number, routeLimits: readonly RouteBodyLimit[] = []): RequestHandler {
  const parsers = new Map<number, RequestHandler>();
  const parserFor = (limit: number): RequestHandler => {
    let p = parsers.get(limit);
    if (!p) parsers.set(limit, (p = express.json({ limit, strict: true, type: () => true, inflate: true })));
    return p;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (!STATE_CHANGING.has(req.method) || !hasBody(req)) return next();
    const route = routeLimits.find((r) => r.method.toUpperCase() === req.method && (typeof r.path === 'string' ? r.path === req.path : r.path.test(req.path)));
    parserFor(route?.limitBytes ?? defaultLimitBytes)(req, res, (err?: unknown) => (err ? sendBodyParserError(res, err, req) : next()));
  };
}

/** CSP source expressions for the inline <script> blocks of a page (so the page works under script-src 'self'). */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) out.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  return out;
}

export function securityHeaders(scriptHashes: readonly string[] = []): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { scriptSrc: ["'self'", ...scriptHashes], connectSrc: ["'self'"] } },
  });
}

/** The whole chain, in order (see the file comment). */
export function httpSecurityMiddleware(opts: HttpSecurityOptions): RequestHandler[] {
  return [securityHeaders(opts.scriptHashes), hostGuard(opts.allowedHosts), corsPolicy(opts.allowedOrigins), originGuard(opts.allowedOrigins), jsonOnly(), jsonBodyParser(opts.bodyLimitBytes, opts.routeBodyLimits)];
}

/** Something with express's `use` (an express app, or a NestExpressApplication created with bodyParser: false). */
export interface UsesMiddleware {
  use(...handlers: RequestHandler[]): unknown;
  disable?(setting: string): unknown;
}

/** Installs the chain. Create Nest apps with `bodyParser: false`: this chain parses JSON bodies itself. */
export function applyHttpSecurity(app: UsesMiddleware, opts: HttpSecurityOptions): void {
  app.disable?.('x-powered-by');
  for (const handler of httpSecurityMiddleware(opts)) app.use(handler);
}

/**
 * Options from configuration. The listening HOST is allowed as a Host header when it is a specific
 * address (HOST=10.0.0.5 means clients say Host: 10.0.0.5:PORT); a wildcard bind adds nothing.
 */
export function httpSecurityOptionsFromConfig(
  config: Pick<KairosConfig, 'HOST' | 'ALLOWED_HOSTS' | 'ALLOWED_ORIGINS' | 'HTTP_BODY_LIMIT_BYTES' | 'HTTP_BATCH_BODY_LIMIT_BYTES'>,
  extra: { batchRoutes?: readonly { method: string; path: string | RegExp }[]; scriptHashes?: readonly string[] } = {},
): HttpSecurityOptions {
  const wildcard = ['0.0.0.0', '::', '[::]', ''].includes(config.HOST.trim());
  const hostEntry = /:/.test(config.HOST) && !config.HOST.startsWith('[') ? `[${config.HOST}]` : config.HOST;
  return {
    allowedHosts: [...config.ALLOWED_HOSTS, ...(wildcard || isLoopbackHost(config.HOST) ? [] : [hostEntry])],
    allowedOrigins: config.ALLOWED_ORIGINS,
    bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
    routeBodyLimits: (extra.batchRoutes ?? []).map((r) => ({ ...r, limitBytes: config.HTTP_BATCH_BODY_LIMIT_BYTES })),
    scriptHashes: extra.scriptHashes,
  };
}

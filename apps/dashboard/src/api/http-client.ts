// The one place the dashboard talks HTTP. Same-origin only: the session cookie (HttpOnly, SameSite=
// Strict, set by POST /api/session) rides along by itself; no key is ever put in a URL or in storage.
import type { ApiErrorBody } from './api-types';

export type ApiErrorCode = 'HTTP_ERROR' | 'NETWORK_ERROR' | 'UNAUTHENTICATED' | string;

/** A refused or failed request, carrying the server's stable code and message when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever the API answers 401: the shell then shows the login view. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Reads an error response into an ApiError with the server's message (or the status line). */
export async function errorFromResponse(r: Response): Promise<ApiError> {
  const body = (await r.json().catch(() => null)) as Partial<ApiErrorBody> | null;
  const message = typeof body?.message === 'string' && body.message ? body.message : `${r.status} ${r.statusText || 'error'}`.trim();
  const code = typeof body?.error === 'string' ? body.error : r.status === 401 ? 'UNAUTHENTICATED' : 'HTTP_ERROR';
  return new ApiError(r.status, code, message, body?.details);
}

export interface SendOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Low level: performs the request, turns 401 into the unauthorized signal; returns the raw Response. */
export async function send(path: string, opts: SendOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let r: Response;
  try {
    r = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      // Conditional requests are made by the live data layer itself (If-None-Match), so the 304
      // reaches it instead of being folded into a 200 by the HTTP cache.
      cache: 'no-store',
      signal: opts.signal,
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK_ERROR', `could not reach the server: ${(e as Error).message}`);
  }
  if (r.status === 401) for (const l of unauthorizedListeners) l();
  return r;
}

/** JSON request; resolves with the body, rejects with an ApiError carrying the server's message. */
export async function requestJson<T>(path: string, opts: SendOptions = {}): Promise<T> {
  const r = await send(path, opts);
  if (!r.ok) throw await errorFromResponse(r);
  if (r.status === 204) return undefined as T;
  return (await r.json()) as T;
}

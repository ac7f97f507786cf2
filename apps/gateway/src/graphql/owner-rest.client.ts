import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLError } from 'graphql';

/**
 * Headers of the GraphQL request passed on to the REST route: the caller's credentials and trace ids,
 * and Host with Origin so that a write authenticated by the session cookie passes the same origin
 * check as the GraphQL request did (the loopback URL's own host would not match the browser's Origin).
 */
export const REST_FORWARDED_HEADERS = ['authorization', 'x-api-key', 'cookie', 'origin', 'host', 'x-request-id', 'traceparent'] as const;

export function forwardedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of REST_FORWARDED_HEADERS) {
    const v = headers[h];
    if (typeof v === 'string') out[h] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[h] = v.join(', ');
  }
  return out;
}

/** `/api/x` plus a query string of the given parameters (undefined and null ones left out, as REST clients omit them). */
export function restPath(path: string, query: Readonly<Record<string, string | number | boolean | null | undefined>> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * The GraphQL error for a REST answer that is not a success: the REST body's stable code, message and
 * details (`{ error, message, details }`, the one error shape of every service) in `extensions`, with
 * the HTTP status, exactly what a resolver throwing the domain error itself would give.
 */
export function restFailure(status: number, text: string, what: string): GraphQLError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    const b = body as { error: string; message?: unknown; details?: unknown };
    return new GraphQLError(typeof b.message === 'string' ? b.message : b.error, { extensions: { code: b.error, status, details: b.details ?? {} } });
  }
  return new GraphQLError(`${what} answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, { extensions: { code: status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', status } });
}

/** The base URL at which this process's own HTTP server answers (a wildcard bind is reached on loopback). */
export function loopbackBase(address: AddressInfo | string | null): string {
  if (!address || typeof address === 'string') throw new Error('the HTTP server is not listening on a TCP port');
  const host = address.address === '::' || address.address === '0.0.0.0' || address.address === '' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

export interface RestCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query under /api, e.g. /api/models/duration/versions. */
  path: string;
  /** The GraphQL request's headers (credentials are taken from them). */
  headers: Readonly<Record<string, unknown>>;
  body?: unknown;
}

/**
 * GraphQL's way to the resources other services own (models, predictions, patterns, anomalies,
 * diagnoses and rules): the very REST route a client would call, on this process's own HTTP server.
 * In standalone that route is the analyzer's (or collector's) controller in the same process; in
 * distributed mode it is the owner proxy (ANALYZER_URLS …), with its replica failover and
 * OWNER_UNAVAILABLE/OWNER_TIMEOUT errors. So GraphQL and REST run the same validation, queries, scopes
 * (the caller's key is passed on) and errors, and no SQL of another service is copied here. The cost
 * is one loopback HTTP request per field, and a rate-limited key is charged for it twice.
 */
@Injectable()
export class OwnerRestClient {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async call<T>(req: RestCall): Promise<T> {
    const server = this.adapterHost.httpAdapter.getHttpServer() as { address(): AddressInfo | string | null };
    const headers = forwardedHeaders(req.headers);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    // node:http rather than fetch: fetch replaces a Host header with the URL's.
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const r = httpRequest(`${loopbackBase(server.address())}${req.path}`, { method: req.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 500, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });
    if (status >= 300) throw restFailure(status, text, `${req.method} ${req.path}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

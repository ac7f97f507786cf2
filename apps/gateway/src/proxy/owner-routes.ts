/**
 * Which service owns an /api path the gateway cannot answer from PostgreSQL itself, and the
 * configuration variable that says where its replicas are. Pure: the proxy controller registers
 * exactly these prefixes, and this table is what the README's API table is checked against.
 */
export type OwnerService = 'analyzer' | 'collector' | 'executor';

export const OWNER_URL_VARIABLE: Readonly<Record<OwnerService, 'ANALYZER_URLS' | 'COLLECTOR_URLS' | 'EXECUTOR_URLS'>> = {
  analyzer: 'ANALYZER_URLS',
  collector: 'COLLECTOR_URLS',
  executor: 'EXECUTOR_URLS',
};

/** Path prefixes under /api (a prefix matches itself and anything below it). */
export const OWNED_PREFIXES: ReadonlyArray<{ prefix: string; owner: OwnerService }> = [
  { prefix: 'models', owner: 'analyzer' },
  { prefix: 'predictions', owner: 'analyzer' },
  { prefix: 'patterns', owner: 'analyzer' },
  { prefix: 'anomalies', owner: 'analyzer' },
  { prefix: 'diagnoses', owner: 'analyzer' },
  { prefix: 'diagnosis', owner: 'analyzer' },
  { prefix: 'metrics', owner: 'collector' },
  { prefix: 'executor', owner: 'executor' },
];

/** The owner of a request path such as `/api/models/duration/versions?x=1`; null when the gateway serves it itself. */
export function ownerOfPath(path: string): OwnerService | null {
  const m = /^\/api\/([^/?#]+)/.exec(path);
  if (!m) return null;
  return OWNED_PREFIXES.find((p) => p.prefix === m[1])?.owner ?? null;
}

/**
 * The order in which to try the replicas of one owner: round robin from `turn`, so load spreads and a
 * replica that is down costs one failed connection, not every request.
 */
export function replicaOrder(urls: readonly string[], turn: number): string[] {
  if (urls.length === 0) return [];
  const start = ((turn % urls.length) + urls.length) % urls.length;
  return [...urls.slice(start), ...urls.slice(0, start)];
}

/** Request headers passed on to the owner (credentials and content negotiation; never Host or hop-by-hop ones). */
export const FORWARDED_REQUEST_HEADERS = ['authorization', 'x-api-key', 'cookie', 'content-type', 'accept', 'if-none-match', 'x-request-id', 'traceparent'] as const;
/** Response headers passed back to the client. */
export const FORWARDED_RESPONSE_HEADERS = ['content-type', 'etag', 'cache-control', 'retry-after', 'location', 'www-authenticate'] as const;

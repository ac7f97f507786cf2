import { forwardedHeaders, loopbackBase, restFailure, restPath } from './owner-rest.client';

describe('OwnerRestClient helpers', () => {
  it("passes on the caller's credentials, host and trace ids only (no hop-by-hop or length headers)", () => {
    expect(forwardedHeaders({ authorization: 'Bearer k', 'x-api-key': 'k2', cookie: 'a=b', host: 'h:1', connection: 'close', 'content-length': '9', 'x-request-id': ['r1', 'r2'] })).toEqual({
      authorization: 'Bearer k',
      'x-api-key': 'k2',
      cookie: 'a=b',
      host: 'h:1',
      'x-request-id': 'r1, r2',
    });
  });

  it('builds REST query strings, leaving absent arguments out and escaping values', () => {
    expect(restPath('/api/diagnoses')).toBe('/api/diagnoses');
    expect(restPath('/api/diagnoses', { limit: 5, cursor: undefined, x: null })).toBe('/api/diagnoses?limit=5');
    expect(restPath('/api/diagnoses', { cursor: 'a b&c=d' })).toBe('/api/diagnoses?cursor=a+b%26c%3Dd');
  });

  it("turns a REST error body into a GraphQL error with the stable code, status and details", () => {
    const e = restFailure(404, JSON.stringify({ error: 'MODEL_NOT_FOUND', message: 'model x not found', details: { name: 'x' } }), 'GET /api/models/x/versions');
    expect([e.message, e.extensions]).toEqual(['model x not found', { code: 'MODEL_NOT_FOUND', status: 404, details: { name: 'x' } }]);
    const odd = restFailure(502, '<html>bad gateway</html>', 'GET /api/patterns');
    expect([odd.message, odd.extensions.code, odd.extensions.status]).toEqual(['GET /api/patterns answered 502: <html>bad gateway</html>', 'HTTP_ERROR', 502]);
    expect(restFailure(404, '', 'GET /x').extensions.code).toBe('NOT_FOUND');
  });

  it('reaches a wildcard-bound server on loopback, and a specific bind at its address', () => {
    expect(loopbackBase({ address: '::', family: 'IPv6', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(loopbackBase({ address: '0.0.0.0', family: 'IPv4', port: 80 })).toBe('http://127.0.0.1:80');
    expect(loopbackBase({ address: '::1', family: 'IPv6', port: 3001 })).toBe('http://[::1]:3001');
    expect(() => loopbackBase(null)).toThrow(/not listening/);
  });
});

import { loadConfig } from '@kairos/platform';
import { OwnerProxyError } from './owner-proxy.errors';
import { OwnerProxyService, type OwnerFetch } from './owner-proxy.service';

const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
const timedOut = () => Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });

function setup(env: Record<string, string>, answer: (url: string, init: RequestInit) => Response | Error) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchOwner: OwnerFetch = async (url, init) => {
    calls.push({ url, init });
    const r = answer(url, init);
    if (r instanceof Error) throw r;
    return r;
  };
  return { calls, proxy: new OwnerProxyService(loadConfig(env), fetchOwner) };
}

const get = (url: string) => ({ method: 'GET', url, headers: { authorization: 'Bearer k', host: 'gw:3000', 'if-none-match': '"e1"' }, body: undefined });

describe('OwnerProxyService', () => {
  it('passes the owner’s answer back with its status, credentials forwarded and Host not', async () => {
    const { proxy, calls } = setup({ ANALYZER_URLS: 'http://a1:3002' }, () => new Response('{"x":1}', { status: 404, headers: { 'content-type': 'application/json', etag: '"e2"' } }));
    const r = await proxy.forward('analyzer', get('/api/models?x=1'));
    expect(r.status).toBe(404);
    expect(r.body.toString()).toBe('{"x":1}');
    expect(r.headers).toEqual({ 'content-type': 'application/json', etag: '"e2"' });
    expect(calls[0].url).toBe('http://a1:3002/api/models?x=1');
    expect(calls[0].init.headers).toEqual({ authorization: 'Bearer k', 'if-none-match': '"e1"' });
  });

  it('skips a replica that refuses the connection and spreads requests round robin', async () => {
    const { proxy, calls } = setup({ ANALYZER_URLS: 'http://a1:1,http://a2:2' }, (url) => (url.startsWith('http://a1') ? refused() : new Response('ok')));
    expect((await proxy.forward('analyzer', get('/api/patterns'))).status).toBe(200);
    expect((await proxy.forward('analyzer', get('/api/patterns'))).status).toBe(200);
    expect(calls.map((c) => c.url.slice(0, 12))).toEqual(['http://a1:1/', 'http://a2:2/', 'http://a2:2/']);
  });

  it('503 naming the variable when the owner’s address is not configured', async () => {
    const { proxy } = setup({}, () => new Response('never'));
    await expect(proxy.forward('collector', get('/api/metrics/tasks/t'))).rejects.toMatchObject({ code: 'OWNER_NOT_CONFIGURED', message: expect.stringContaining('set COLLECTOR_URLS') });
  });

  it('503 naming the service and every address tried when all replicas are down', async () => {
    const { proxy } = setup({ EXECUTOR_URLS: 'http://e1:1,http://e2:2' }, () => refused());
    const err = await proxy.forward('executor', get('/api/executor/status')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OwnerProxyError);
    expect(err).toMatchObject({ code: 'OWNER_UNAVAILABLE', details: { owner: 'executor', tried: ['http://e1:1', 'http://e2:2'], cause: 'ECONNREFUSED' } });
    expect((err as Error).message).toContain('the executor is unreachable (ECONNREFUSED) at http://e1:1, http://e2:2');
  });

  it('504 after a timeout; a POST is not sent to a second replica once it may have been delivered', async () => {
    const { proxy, calls } = setup({ ANALYZER_URLS: 'http://a1:1,http://a2:2', GATEWAY_PROXY_TIMEOUT_MS: '100' }, () => timedOut());
    await expect(proxy.forward('analyzer', { method: 'POST', url: '/api/models/duration/train', headers: {}, body: { trees: 5 } })).rejects.toMatchObject({ code: 'OWNER_TIMEOUT' });
    expect(calls).toHaveLength(1);
    expect(calls[0].init).toMatchObject({ method: 'POST', body: '{"trees":5}', headers: { 'content-type': 'application/json' } });
    await expect(proxy.forward('analyzer', get('/api/models'))).rejects.toMatchObject({ code: 'OWNER_TIMEOUT', message: expect.stringContaining('GATEWAY_PROXY_TIMEOUT_MS') });
    expect(calls).toHaveLength(3);
  });

  it('rejects a bad replica address at start-up, naming the variable', () => {
    expect(() => loadConfig({ ANALYZER_URLS: 'analyzer:3002' })).toThrow(/ANALYZER_URLS=.*is not a base URL/);
  });
});

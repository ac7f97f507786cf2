import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeKeyring, REDACTED, RunSpecSchema, sealSecrets, secretKeyFromBytes, type RunSpec } from '@kairos/contracts';
import { HttpRunner } from './http.runner';

// In-process servers and real processes: slow only when the machine is busy (the full suite runs in parallel).
jest.setTimeout(30_000);

type HttpSpec = Extract<RunSpec, { kind: 'http' }>;
const ctx = (over: object = {}) => ({ taskId: 't', attempt: 1, timeoutMs: 5_000, outputTailBytes: 1024, signal: new AbortController().signal, ...over });

describe('HttpRunner', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/echo') return res.end(JSON.stringify({ auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null, plain: req.headers['x-plain'] ?? null }));
      if (req.url === '/redirect') {
        res.statusCode = 302;
        res.setHeader('Location', '/echo');
        return res.end();
      }
      if (req.url === '/big') {
        res.write('x'.repeat(4 << 20));
        return res.end('THE-END');
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  const http = (over: object): HttpSpec => RunSpecSchema.parse({ kind: 'http', ...over }) as HttpSpec;

  it('sends secret headers and scrubs them from the kept response', async () => {
    const r = await new HttpRunner().run(http({ url: `${base}/echo`, headers: { 'X-Plain': 'p', Authorization: 'Bearer tok-abcdef' }, secretHeaders: { 'X-Api-Key': 'key-123456' } }), ctx());
    expect(r).toMatchObject({ outcome: 'succeeded', exitCode: 200 });
    expect(JSON.parse(r.outputTail)).toEqual({ auth: REDACTED, key: REDACTED, plain: 'p' });
  });

  it('follows redirects without secrets, not with them', async () => {
    const plain = await new HttpRunner().run(http({ url: `${base}/redirect` }), ctx());
    expect(plain).toMatchObject({ outcome: 'succeeded', exitCode: 200 });
    const secret = await new HttpRunner().run(http({ url: `${base}/redirect`, secretHeaders: { 'X-Api-Key': 'key-123456' } }), ctx());
    expect(secret).toMatchObject({ outcome: 'failed', exitCode: 302, error: 'unexpected HTTP status 302 (redirect not followed: the request carries secret headers)' });
  });

  it('keeps only the tail of a 4 MB response', async () => {
    const r = await new HttpRunner().run(http({ url: `${base}/big` }), ctx({ outputTailBytes: 64 }));
    expect(r.outputTail).toHaveLength(64);
    expect(r.outputTail.endsWith('THE-END')).toBe(true);
  });

  it('refuses a sealed header and scrubs secrets from connection errors', async () => {
    const ring = makeKeyring(secretKeyFromBytes(Buffer.alloc(32, 9)));
    const sealed = sealSecrets(http({ url: `${base}/echo`, secretHeaders: { 'X-Api-Key': 'key-123456' } }), ring);
    expect(await new HttpRunner().run(sealed, ctx())).toMatchObject({ outcome: 'failed', error: expect.stringContaining('secretHeaders.X-Api-Key is still sealed') });
    const r = await new HttpRunner().run(http({ url: 'http://127.0.0.1:1/key-123456', secretHeaders: { 'X-Api-Key': 'key-123456' } }), ctx());
    expect(r.outcome).toBe('failed');
    expect(r.error).toContain(`http://127.0.0.1:1/${REDACTED}`);
  });
});

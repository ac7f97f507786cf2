import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { formatZodIssues, SubmitTaskSchema } from '@kairos/contracts';
import { applyHttpSecurity, httpSecurityOptionsFromConfig, inlineScriptHashes } from './http-security.middleware';

// In-process servers and real processes: slow only when the machine is busy (the full suite runs in parallel).
jest.setTimeout(30_000);

const MiB = 1 << 20;

function makeApp() {
  const app = express();
  applyHttpSecurity(app, {
    allowedHosts: ['kairos.example.com'],
    allowedOrigins: ['https://ops.example.com'],
    bodyLimitBytes: MiB,
    routeBodyLimits: [{ method: 'POST', path: '/api/batch', limitBytes: 4 * MiB }],
  });
  app.post('/api/tasks', (req, res) => {
    const r = SubmitTaskSchema.safeParse(req.body);
    if (!r.success) {
      const issues = formatZodIssues(r.error);
      res.status(400).json({ error: 'VALIDATION_FAILED', message: `invalid task: ${issues.join('; ')}`, details: { issues } });
      return;
    }
    res.status(201).json({ ok: true });
  });
  app.post('/api/batch', (req, res) => {
    res.json({ bytes: JSON.stringify(req.body).length });
  });
  app.post('/api/tasks/:id/cancel', (_req, res) => {
    res.status(202).json({ ok: true });
  });
  app.get('/api/ping', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

const app = makeApp();
const task = JSON.stringify({ run: { kind: 'shell', command: ['echo', 'hi'] } });
const post = (path = '/api/tasks') => request(app).post(path);
/** superagent would JSON-encode a Buffer sent as application/json; send its bytes as they are. */
const raw = (d: unknown) => d as string;

describe('security headers', () => {
  it('sends helmet headers and no X-Powered-By', async () => {
    const res = await request(app).get('/api/ping').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
  });
  it('also on rejections', async () => {
    const res = await request(app).get('/api/ping').set('Host', 'evil.example').expect(421);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('(a) JSON bodies only', () => {
  it('accepts application/json (with or without charset=utf-8)', async () => {
    await post().set('Content-Type', 'application/json').send(task).expect(201);
    await post().set('Content-Type', 'application/json; charset=UTF-8').send(task).expect(201);
  });
  it.each([
    ['application/x-www-form-urlencoded', 'run=1'],
    ['text/plain', task],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('refuses %s with 415 naming the type', async (type, body) => {
    const res = await post().set('Content-Type', type).send(body).expect(415);
    expect(res.body).toEqual({ error: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining(type.split(';')[0]), details: expect.any(Object) });
  });
  it('charset latin1 → 415 naming the charset', async () => {
    const res = await post().set('Content-Type', 'application/json; charset=latin1').send(task).expect(415);
    expect(res.body).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'JSON bodies must be UTF-8 (got charset "latin1")' });
  });
  it('an unknown Content-Encoding → 415', async () => {
    const res = await post().set('Content-Type', 'application/json').set('Content-Encoding', 'zstd').send(task).expect(415);
    expect(res.body.message).toContain('zstd');
  });
  it('a POST without a body needs no Content-Type', async () => {
    await post('/api/tasks/1/cancel').expect(202);
  });
});

describe('(f) body parser failures map to 400/413, never 500', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('a valid %s body is read', async (encoding, compress) => {
    await post().set('Content-Type', 'application/json').set('Content-Encoding', encoding).serialize(raw).send(compress(Buffer.from(task))).expect(201);
  });
  it.each(['gzip', 'deflate', 'br'])('a corrupt %s body → 400 MALFORMED_BODY', async (encoding) => {
    const res = await post().set('Content-Type', 'application/json').set('Content-Encoding', encoding).serialize(raw).send(Buffer.from('definitely not compressed data')).expect(400);
    expect(res.body).toMatchObject({ error: 'MALFORMED_BODY', message: expect.stringContaining(`body could not be decompressed (Content-Encoding: ${encoding})`) });
  });
  it('a 2 MB body → 413 with the limit', async () => {
    const big = JSON.stringify({ run: { kind: 'noop' }, name: 'x'.repeat(2 * MiB) });
    const res = await post().set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${MiB} bytes`, details: { limitBytes: MiB } });
  });
  it('a gzip bomb is measured after decompression → 413', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ pad: ' '.repeat(8 * MiB) })));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await post().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(raw).send(bomb).expect(413);
    expect(res.body.message).toBe(`request body exceeds ${MiB} bytes (after decompression)`);
  });
  it('a batch route has its own limit', async () => {
    const big = JSON.stringify({ items: 'x'.repeat(2 * MiB) });
    await post('/api/batch').set('Content-Type', 'application/json').send(big).expect(200);
  });
  it('bad JSON → 400 naming the position', async () => {
    const res = await post().set('Content-Type', 'application/json').send('{"run": {"kind": "noop",}}').expect(400);
    expect(res.body.error).toBe('MALFORMED_BODY');
    expect(res.body.message).toMatch(/^body is not valid JSON: .*position 24/);
  });
  it('a JSON body that is not an object or array (strict) → 400', async () => {
    const res = await post().set('Content-Type', 'application/json').send('"just a string"').expect(400);
    expect(res.body.error).toBe('MALFORMED_BODY');
  });
  it('NUL in a JSON string reaches the schema and answers 400 naming the field', async () => {
    const res = await post().set('Content-Type', 'application/json').send('{"run":{"kind":"shell","command":["echo","a\\u0000b"]}}').expect(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', message: 'invalid task: run.command[1]: must not contain NUL (\\u0000) at character 1' });
  });
  it('a lone surrogate in a JSON string → 400 naming the field', async () => {
    const res = await post().set('Content-Type', 'application/json').send('{"run":{"kind":"noop"},"labels":{"k":"\\ud800"}}').expect(400);
    expect(res.body.message).toContain('labels.k: must not contain an unpaired UTF-16 high surrogate');
  });
});

describe('(b) Host allow-list (DNS rebinding)', () => {
  it.each(['127.0.0.1:3000', 'localhost', 'LOCALHOST:8080', '[::1]:3000', 'kairos.example.com', 'kairos.example.com:443'])('accepts Host %s', async (host) => {
    await request(app).get('/api/ping').set('Host', host).expect(200);
  });
  it.each(['evil.example', 'rebind.attacker.test:3000', '127.0.0.2', 'kairos.example.com.evil.test', '[::2]'])('refuses Host %s with 421', async (host) => {
    const res = await request(app).get('/api/ping').set('Host', host).expect(421);
    expect(res.body).toMatchObject({ error: 'HOST_NOT_ALLOWED', message: expect.stringContaining(host) });
  });
  it('refuses a foreign Host before reading the body', async () => {
    await post().set('Host', 'evil.example').set('Content-Type', 'application/json').send(task).expect(421);
  });
});

describe('(c) Origin on state-changing requests', () => {
  it('a cross-origin form post (another local port) is refused', async () => {
    const res = await post().set('Origin', 'http://127.0.0.1:9999').set('Content-Type', 'application/x-www-form-urlencoded').send('run=x').expect(403);
    expect(res.body).toMatchObject({ error: 'ORIGIN_NOT_ALLOWED', message: expect.stringContaining('http://127.0.0.1:9999') });
  });
  it('the same origin and configured origins may post', async () => {
    await post().set('Host', 'localhost:3000').set('Origin', 'http://localhost:3000').set('Content-Type', 'application/json').send(task).expect(201);
    await post().set('Origin', 'https://ops.example.com').set('Content-Type', 'application/json').send(task).expect(201);
  });
  it.each(['null', 'https://ops.example.com.evil.test', 'http://localhost:3001'])('Origin %s may not post', async (origin) => {
    await post().set('Host', 'localhost:3000').set('Origin', origin).set('Content-Type', 'application/json').send(task).expect(403);
  });
  it('no Origin but Sec-Fetch-Site: cross-site → 403; curl-like (no Origin, no Sec-Fetch-Site) is fine', async () => {
    await post().set('Sec-Fetch-Site', 'cross-site').set('Content-Type', 'application/json').send(task).expect(403);
    await post().set('Content-Type', 'application/json').send(task).expect(201);
  });
  it('reads are not origin-checked (CORS keeps other sites from reading them)', async () => {
    const res = await request(app).get('/api/ping').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('(d) strict CORS', () => {
  it('a configured origin gets its own origin back, never *', async () => {
    const res = await request(app).options('/api/tasks').set('Origin', 'https://ops.example.com').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toContain('Origin');
  });
  it('another origin gets no CORS headers', async () => {
    const res = await request(app).options('/api/tasks').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('options from configuration', () => {
  const config = { HOST: '127.0.0.1', ALLOWED_HOSTS: [], ALLOWED_ORIGINS: [], HTTP_BODY_LIMIT_BYTES: MiB, HTTP_BATCH_BODY_LIMIT_BYTES: 16 * MiB };
  it('adds a specific bind address to the Host allow-list, not a wildcard or loopback one', () => {
    expect(httpSecurityOptionsFromConfig({ ...config, HOST: '10.0.0.5' }).allowedHosts).toEqual(['10.0.0.5']);
    expect(httpSecurityOptionsFromConfig({ ...config, HOST: 'fd00::5' }).allowedHosts).toEqual(['[fd00::5]']);
    expect(httpSecurityOptionsFromConfig({ ...config, HOST: '0.0.0.0', ALLOWED_HOSTS: ['kairos.example.com'] }).allowedHosts).toEqual(['kairos.example.com']);
    expect(httpSecurityOptionsFromConfig(config).allowedHosts).toEqual([]);
  });
  it('gives batch routes the batch limit', () => {
    expect(httpSecurityOptionsFromConfig(config, { batchRoutes: [{ method: 'POST', path: '/api/workflows' }] }).routeBodyLimits).toEqual([{ method: 'POST', path: '/api/workflows', limitBytes: 16 * MiB }]);
  });
});

describe('inlineScriptHashes', () => {
  it('hashes inline scripts only, as CSP expects', () => {
    const body = "\nconsole.log('hi');\n";
    const html = `<html><script src="/x.js"></script><script>${body}</script></html>`;
    expect(inlineScriptHashes(html)).toEqual([`'sha256-${createHash('sha256').update(body).digest('base64')}'`]);
  });
});

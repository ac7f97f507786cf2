import 'reflect-metadata';
import { Controller, Get, Module, Post, Req, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import request from 'supertest';
import pino from 'pino';
import { ApiKeyError, apiKeyErrorStatus, generateApiKey, TokenBucketLimiter, type ApiKeyScope, type DomainError } from '@kairos/platform';
import { HttpErrorFilter } from '../http-error.filter';
import { API_KEY_GUARD_OPTIONS, API_KEY_LOOKUP, API_KEY_RATE_LIMITER, ApiKeyGuard, authenticatedKeyOf, canSeeTenant, extractApiKey, readCookie, sessionOriginAllowed, tenantAccessOf, tenantFilterOf, UNRESTRICTED_ACCESS, type ApiKeyLookup, type StoredApiKey } from './api-key.guard';
import { Public, RequireScope, routeRequirement } from './route-scope.decorator';

// In-process servers and real processes: slow only when the machine is busy (the full suite runs in parallel).
jest.setTimeout(30_000);

/** The fake lookup port: keys by id. */
class FakeKeys implements ApiKeyLookup {
  readonly rows = new Map<string, StoredApiKey>();
  lookups = 0;
  add(scopes: ApiKeyScope[], revokedAt: Date | null = null, tenant = 'default'): string {
    const k = generateApiKey();
    this.rows.set(k.keyId, { keyId: k.keyId, digest: k.digest, scopes, revokedAt, tenant });
    return k.token;
  }
  async findByKeyId(keyId: string): Promise<StoredApiKey | null> {
    this.lookups++;
    return this.rows.get(keyId) ?? null;
  }
}

@RequireScope('read')
@Controller('api/things')
class ThingsController {
  @Get()
  list(@Req() req: Request) {
    return { keyId: authenticatedKeyOf(req)?.keyId ?? null, access: tenantAccessOf(req) };
  }
  @Post()
  @RequireScope('submit')
  create() {
    return { created: true };
  }
  @Post('cordon')
  @RequireScope('operate')
  cordon() {
    return { ok: true };
  }
}

@Public()
@Controller('health')
class HealthLikeController {
  @Get()
  health() {
    return { status: 'ok' };
  }
  @Get('secret')
  @RequireScope('admin')
  secret() {
    return { admin: true };
  }
}

@Controller('api/undeclared')
class UndeclaredController {
  @Get()
  get() {
    return { ok: true };
  }
}

describe('routeRequirement', () => {
  const r = new Reflector();
  const proto = (c: { prototype: object }, m: string) => (c.prototype as Record<string, () => unknown>)[m];
  it.each([
    [ThingsController, 'list', { kind: 'scope', scope: 'read', declared: true }],
    [ThingsController, 'create', { kind: 'scope', scope: 'submit', declared: true }],
    [HealthLikeController, 'health', { kind: 'public' }],
    [HealthLikeController, 'secret', { kind: 'scope', scope: 'admin', declared: true }],
    [UndeclaredController, 'get', { kind: 'scope', scope: 'admin', declared: false }],
  ] as const)('%p.%s', (controller, method, expected) => {
    expect(routeRequirement(r, proto(controller, method), controller)).toEqual(expected);
  });
});

describe('extractApiKey', () => {
  it('reads Bearer or X-Api-Key, never anything else', () => {
    expect(extractApiKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(extractApiKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(extractApiKey({ 'x-api-key': 'abc' })).toBe('abc');
    expect(extractApiKey({})).toBeNull();
    expect(() => extractApiKey({ authorization: 'Basic YTpi' })).toThrow(ApiKeyError);
  });
});

describe('ApiKeyGuard in a Nest app', () => {
  const keys = new FakeKeys();
  let now = 0;
  const limiter = new TokenBucketLimiter({ ratePerSec: 1, burst: 3, maxBuckets: 100, now: () => now });
  let app: INestApplication;
  const statusOf = (e: DomainError) => (e instanceof ApiKeyError ? apiKeyErrorStatus(e.code) : undefined);

  @Module({
    controllers: [ThingsController, HealthLikeController, UndeclaredController],
    providers: [
      { provide: API_KEY_LOOKUP, useValue: keys },
      { provide: API_KEY_RATE_LIMITER, useValue: limiter },
      { provide: APP_GUARD, useClass: ApiKeyGuard },
    ],
  })
  class TestModule {}

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(pino({ level: 'silent' }), statusOf));
    await app.init();
  });
  afterAll(() => app.close());
  const http = () => request(app.getHttpServer());
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  it('no key → 401 KEY_MISSING; public routes need none', async () => {
    const res = await http().get('/api/things').expect(401);
    expect(res.body).toMatchObject({ error: 'KEY_MISSING', details: { requiredScope: 'read' } });
    await http().get('/health').expect(200);
  });
  it('a read key reads and is known by its id', async () => {
    const token = keys.add(['read']);
    const res = await http().get('/api/things').set(bearer(token)).expect(200);
    expect(res.body.keyId).toBe(token.split('_')[1]);
  });
  it('the request carries the key\'s tenant: a tenant key sees its own tenant, an admin key every tenant', async () => {
    const reader = await http().get('/api/things').set(bearer(keys.add(['read'], null, 'team-a'))).expect(200);
    expect(reader.body.access).toEqual({ tenant: 'team-a', all: false });
    const admin = await http().get('/api/things').set(bearer(keys.add(['admin'], null, 'ops'))).expect(200);
    expect(admin.body.access).toEqual({ tenant: 'ops', all: true });
  });
  it('a read key on a submit route → 403 naming the scope', async () => {
    const token = keys.add(['read']);
    const res = await http().post('/api/things').set(bearer(token)).expect(403);
    expect(res.body).toMatchObject({ error: 'SCOPE_INSUFFICIENT', message: expect.stringContaining('needs scope "submit"') });
    expect(JSON.stringify(res.body)).not.toContain(token);
  });
  it('scope implication: submit reads, operate does not submit, admin does all', async () => {
    const submit = keys.add(['submit']);
    const operate = keys.add(['operate']);
    const admin = keys.add(['admin']);
    await http().get('/api/things').set(bearer(submit)).expect(200);
    await http().post('/api/things').set(bearer(submit)).expect(201);
    await http().post('/api/things').set(bearer(operate)).expect(403);
    await http().post('/api/things/cordon').set(bearer(operate)).expect(201);
    await http().get('/health/secret').set(bearer(admin)).expect(200);
    await http().get('/health/secret').set(bearer(operate)).expect(403);
  });
  it('an undeclared route requires admin (fails closed)', async () => {
    await http().get('/api/undeclared').set(bearer(keys.add(['operate', 'submit']))).expect(403);
    await http().get('/api/undeclared').set(bearer(keys.add(['admin']))).expect(200);
  });
  it('malformed, unknown, wrong-secret and revoked keys → 401 with distinct codes, never echoing the key', async () => {
    const good = keys.add(['read']);
    const revoked = keys.add(['read'], new Date('2025-01-01T00:00:00Z'));
    const wrong = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const unknown = `kairos_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    for (const [token, code] of [
      ['not-a-key', 'KEY_MALFORMED'],
      [unknown, 'KEY_UNKNOWN'],
      [wrong, 'KEY_INVALID'],
      [revoked, 'KEY_REVOKED'],
    ] as const) {
      const res = await http().get('/api/things').set(bearer(token)).expect(401);
      expect(res.body.error).toBe(code);
      expect(JSON.stringify(res.body)).not.toContain(token.slice(-43));
    }
    const viaHeader = await http().get('/api/things').set('X-Api-Key', good).expect(200);
    expect(viaHeader.body.keyId).toBe(good.split('_')[1]);
  });
  it('rate limit per key: 429 with Retry-After once the burst is spent, other keys unaffected', async () => {
    const a = keys.add(['read']);
    const b = keys.add(['read']);
    for (let i = 0; i < 3; i++) await http().get('/api/things').set(bearer(a)).expect(200);
    const res = await http().get('/api/things').set(bearer(a)).expect(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ error: 'RATE_LIMITED', details: { retryAfterSec: 1 } });
    await http().get('/api/things').set(bearer(b)).expect(200);
    now += 1_000;
    await http().get('/api/things').set(bearer(a)).expect(200);
  });
});

describe('readCookie / sessionOriginAllowed', () => {
  it('reads one cookie among several, decoded', () => {
    expect(readCookie('a=1; kairos_session=kairos_x%5Fy; b=2', 'kairos_session')).toBe('kairos_x_y');
    expect(readCookie('kairos_sessionx=1', 'kairos_session')).toBeNull();
    expect(readCookie(undefined, 'kairos_session')).toBeNull();
  });
  it('state-changing cookie requests need this server\'s Origin or an allowed one', () => {
    const h = (origin?: string) => ({ host: '127.0.0.1:3000', ...(origin ? { origin } : {}) });
    expect(sessionOriginAllowed('GET', h(), [])).toBe(true);
    expect(sessionOriginAllowed('POST', h('http://127.0.0.1:3000'), [])).toBe(true);
    expect(sessionOriginAllowed('POST', h(), [])).toBe(false);
    expect(sessionOriginAllowed('POST', h('null'), [])).toBe(false);
    expect(sessionOriginAllowed('DELETE', h('http://127.0.0.1:9999'), [])).toBe(false);
    expect(sessionOriginAllowed('PUT', h('https://ops.example.com'), ['https://ops.example.com'])).toBe(true);
  });
});

describe('ApiKeyGuard: session cookie and KAIROS_AUTH=off', () => {
  const keys = new FakeKeys();
  const statusOf = (e: DomainError) => (e instanceof ApiKeyError ? apiKeyErrorStatus(e.code) : undefined);
  const apps: INestApplication[] = [];
  async function appWith(enforced: boolean): Promise<INestApplication> {
    @Module({
      controllers: [ThingsController, HealthLikeController],
      providers: [
        { provide: API_KEY_LOOKUP, useValue: keys },
        { provide: API_KEY_GUARD_OPTIONS, useValue: { enforced, allowedOrigins: [] } },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    })
    class M {}
    const app = await NestFactory.create<NestExpressApplication>(M, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(pino({ level: 'silent' }), statusOf));
    await app.init();
    apps.push(app);
    return app;
  }
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('accepts the key from the kairos_session cookie; a cookie POST needs a same-origin Origin', async () => {
    const app = await appWith(true);
    const token = keys.add(['submit']);
    const cookie = `kairos_session=${encodeURIComponent(token)}`;
    const res = await request(app.getHttpServer()).get('/api/things').set('Cookie', cookie).expect(200);
    expect(res.body.keyId).toBe(token.split('_')[1]);
    const refused = await request(app.getHttpServer()).post('/api/things').set('Cookie', cookie).expect(403);
    expect(refused.body.error).toBe('SESSION_ORIGIN_REQUIRED');
    await request(app.getHttpServer()).post('/api/things').set('Cookie', cookie).set('Host', 'localhost:3000').set('Origin', 'http://evil.test').expect(403);
    await request(app.getHttpServer()).post('/api/things').set('Cookie', cookie).set('Host', 'localhost:3000').set('Origin', 'http://localhost:3000').expect(201);
    // The Authorization header is not a browser's ambient credential: no Origin needed.
    await request(app.getHttpServer()).post('/api/things').set('Cookie', 'kairos_session=junk').set('Authorization', `Bearer ${token}`).expect(201);
  });
  it('KAIROS_AUTH=off opens every route (the bind policy keeps such a server on loopback)', async () => {
    const app = await appWith(false);
    await request(app.getHttpServer()).post('/api/things').expect(201);
    await request(app.getHttpServer()).get('/health/secret').expect(200);
  });
});

describe('tenant access rules', () => {
  const a = { tenant: 'team-a', all: false };
  const admin = { tenant: 'default', all: true };
  it('a tenant key sees its own tenant only; admin and KAIROS_AUTH=off (no key) see all', () => {
    expect(canSeeTenant(a, 'team-a')).toBe(true);
    expect(canSeeTenant(a, 'team-b')).toBe(false);
    expect(canSeeTenant(admin, 'team-b')).toBe(true);
    expect(tenantAccessOf({})).toEqual(UNRESTRICTED_ACCESS);
  });
  it('list filters: a tenant key is pinned to its tenant whatever it asks; admin gets what it asks, else all', () => {
    expect(tenantFilterOf(a)).toBe('team-a');
    expect(tenantFilterOf(a, 'team-b')).toBe('team-a');
    expect(tenantFilterOf(admin)).toBeNull();
    expect(tenantFilterOf(admin, 'team-b')).toBe('team-b');
  });
});

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { safeString, TenantSchema } from '@kairos/contracts';
import { API_KEY_SCOPES } from '@kairos/platform';
import { authenticatedKeyOf, Public, RequireScope, SESSION_COOKIE, tenantAccessOf } from '@kairos/runtime';
import { parseOrThrow } from '../tasks/parse-body';
import { ApiKeysService } from './api-keys.service';

export const CreateKeySchema = z
  .object({
    name: safeString({ maxBytes: 200, minLength: 1, minMessage: 'name must not be empty' }),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, 'scopes: at least one of read, submit, operate, admin').max(API_KEY_SCOPES.length),
    /** The key's tenant (default: the creating key's). Creating keys is admin-only, so an admin may name any tenant. */
    tenant: TenantSchema.optional(),
  })
  .strict();
export const KeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'key id must be 16 lower-case hex characters');
const SessionSchema = z.object({ key: z.string().min(1, 'key must not be empty').max(200) }).strict();

/** Session length of the dashboard cookie. */
export const SESSION_MAX_AGE_SEC = 12 * 3600;

/** Create (the key is in the answer once), list (no secrets) and revoke API keys: admin only. */
@ApiTags('api-keys')
@RequireScope('admin')
@Controller('api/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key of a tenant (default: the creating key\'s); the answer carries the key itself, shown this once (only its SHA-256 digest is stored)' })
  @ApiBody({ schema: z.toJSONSchema(CreateKeySchema, { io: 'input' }) as object })
  create(@Body() body: unknown, @Req() req: Request) {
    return this.keys.create(parseOrThrow(CreateKeySchema, body, 'API key'), authenticatedKeyOf(req)?.keyId ?? 'unknown', tenantAccessOf(req).tenant);
  }

  @Get()
  @ApiOperation({ summary: 'Every API key: id, name, scopes, tenant, creation, revocation (never the key or its digest)' })
  list() {
    return this.keys.list();
  }

  @Delete(':keyId')
  @ApiOperation({ summary: 'Revoke a key (immediately in this process, within 5 s in the others); the last active admin key cannot be revoked' })
  revoke(@Param('keyId') keyId: string, @Req() req: Request) {
    return this.keys.revoke(parseOrThrow(KeyIdSchema, keyId, 'key id'), authenticatedKeyOf(req)?.keyId ?? 'unknown');
  }
}

function sessionCookie(req: Request, value: string, maxAgeSec: number): string {
  const secure = req.secure || String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

/**
 * The dashboard's sign-in: an API key is exchanged for an HttpOnly, SameSite=Strict cookie that the
 * guard accepts in place of the Authorization header (state-changing requests then need this server's
 * Origin). The page never holds the key after sending it.
 */
@ApiTags('api-keys')
@Controller('api/session')
export class SessionController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign in: { key } → 204 with an HttpOnly, SameSite=Strict session cookie; 401 when the key is not valid' })
  async signIn(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const { key } = parseOrThrow(SessionSchema, body, 'session');
    await this.keys.verify(key);
    res.setHeader('Set-Cookie', sessionCookie(req, encodeURIComponent(key), SESSION_MAX_AGE_SEC));
    res.setHeader('Cache-Control', 'no-store');
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'The key this request authenticated with: id, scopes and tenant' })
  whoami(@Req() req: Request) {
    const k = authenticatedKeyOf(req);
    return { keyId: k?.keyId ?? null, scopes: k?.scopes ?? [], tenant: tenantAccessOf(req).tenant };
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: clears the session cookie' })
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', sessionCookie(req, '', 0));
  }
}

import { Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScope } from '@kairos/runtime';
import { OwnerProxyError } from './owner-proxy.errors';
import { OwnerProxyService } from './owner-proxy.service';
import { OWNED_PREFIXES, ownerOfPath } from './owner-routes';

/** Every owned prefix and everything below it, e.g. `models` and `models/*rest`. */
const ROUTES = OWNED_PREFIXES.flatMap((p) => [p.prefix, `${p.prefix}/*rest`]);

/**
 * Distributed gateway only (not in standalone, where the owners' own controllers answer): the
 * endpoints of the analyzer, collector and executor, forwarded to them. Reads need `read`, changes
 * `operate` here; the owner checks its own, possibly stricter, scope on the forwarded key.
 */
@ApiExcludeController()
@Controller('api')
export class OwnerProxyController {
  constructor(private readonly proxy: OwnerProxyService) {}

  @Get(ROUTES)
  @RequireScope('read')
  read(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.pass(req, res);
  }

  // One handler per method: Nest keeps a single method per handler.
  @Post(ROUTES)
  @RequireScope('operate')
  create(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.pass(req, res);
  }

  @Put(ROUTES)
  @RequireScope('operate')
  replace(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.pass(req, res);
  }

  @Patch(ROUTES)
  @RequireScope('operate')
  update(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.pass(req, res);
  }

  @Delete(ROUTES)
  @RequireScope('operate')
  remove(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.pass(req, res);
  }

  private async pass(req: Request, res: Response): Promise<void> {
    const owner = ownerOfPath(req.originalUrl);
    if (!owner) throw new OwnerProxyError('OWNER_UNAVAILABLE', `no service owns ${req.originalUrl}`);
    const answer = await this.proxy.forward(owner, { method: req.method, url: req.originalUrl, headers: req.headers, body: req.body });
    res.status(answer.status).set(answer.headers).send(answer.body);
  }
}

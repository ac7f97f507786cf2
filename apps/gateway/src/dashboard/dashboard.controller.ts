import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assetHeaders, findDashboardDir, NOT_BUILT_HTML, PAGE_HEADERS } from './dashboard-assets';
import { Public } from '@kairos/runtime';

/**
 * The web dashboard (apps/dashboard, a Vite build): index.html at / and its content-hashed files at
 * /assets/*. Files are read from disk per request (express sendFile: ETag, 304, HEAD), so a rebuild
 * is picked up without a restart.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  private dir: string | null = null;

  private buildDir(): string | null {
    // Looked up until found, so building after the gateway started works too.
    this.dir ??= findDashboardDir(__dirname, existsSync);
    return this.dir;
  }

  @Get()
  index(@Res() res: Response): void {
    const dir = this.buildDir();
    if (!dir) {
      res.status(503).set({ ...PAGE_HEADERS, 'cache-control': 'no-store' }).send(NOT_BUILT_HTML);
      return;
    }
    res.set(PAGE_HEADERS);
    res.sendFile('index.html', { root: dir, dotfiles: 'deny', cacheControl: false }, (err) => {
      if (err && !res.headersSent) res.status(503).set('cache-control', 'no-store').send(NOT_BUILT_HTML);
    });
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const headers = assetHeaders(file);
    const dir = this.buildDir();
    if (!headers || !dir) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.set(headers);
    res.sendFile(file, { root: join(dir, 'assets'), dotfiles: 'deny', cacheControl: false }, (err) => {
      if (err && !res.headersSent) res.status(404).set('cache-control', 'no-store').type('text/plain').send('not found');
    });
  }
}

import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';
import { PROCESS_IDENTITY, type ProcessIdentity } from '../tokens';

/**
 * GET /health: 200 with `status: 'ok'` when every component is up, else 503 with `status: 'down'` and
 * the failing components (a crashed consumer group, an unreachable database).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(PROCESS_IDENTITY) private readonly proc: ProcessIdentity,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const { ok, components, facts } = await this.registry.report();
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const db = components.database;
    const consumers = components.consumers;
    return {
      status: ok ? 'ok' : 'down',
      service: this.proc.service,
      database: db?.status ?? 'unknown',
      databaseKind: db?.details?.kind ?? null,
      // Why the database is down: STORAGE_FULL (a write failed for lack of disk) or STORAGE_UNAVAILABLE.
      databaseError: db?.details?.error ?? null,
      bus: consumers?.details?.bus ?? null,
      down: Object.entries(components)
        .filter(([, c]) => c.status === 'down')
        .map(([name]) => name),
      consumers: consumers?.details?.groups ?? [],
      ...facts,
    };
  }
}

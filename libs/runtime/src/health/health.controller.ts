import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';
import { PROCESS_IDENTITY, type ProcessIdentity } from '../tokens';
import { Public } from '../security/route-scope.decorator';

/**
 * GET /health (liveness): 200 unless a component is down (a crashed consumer group, an unreachable
 * database), then 503 with `status: 'down'`. GET /health/ready (readiness, what load balancers and
 * the compose healthchecks use): 200 only when every component is up; 503 with `status: 'degraded'`
 * while one is behind (the outbox not reaching Kafka, a consumer group silent) or `down`. Both
 * answer the same body.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(PROCESS_IDENTITY) private readonly proc: ProcessIdentity,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const { ok, body } = await this.body();
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, body } = await this.body();
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  private async body() {
    const { ok, ready, components, facts } = await this.registry.report();
    const db = components.database;
    const consumers = components.consumers;
    const named = (status: string) =>
      Object.entries(components)
        .filter(([, c]) => c.status === status)
        .map(([name]) => name);
    const outbox = Object.entries(components)
      .filter(([name]) => name.startsWith('outbox:'))
      .map(([, c]) => ({ status: c.status, ...(c.details ?? {}) }));
    return {
      ok,
      ready,
      body: {
        status: !ok ? 'down' : ready ? 'ok' : 'degraded',
        service: this.proc.service,
        database: db?.status ?? 'unknown',
        databaseKind: db?.details?.kind ?? null,
        // Why the database is down: STORAGE_FULL (a write failed for lack of disk) or STORAGE_UNAVAILABLE.
        databaseError: db?.details?.error ?? null,
        bus: consumers?.details?.bus ?? null,
        down: named('down'),
        degraded: named('degraded'),
        consumers: consumers?.details?.groups ?? [],
        silentConsumers: consumers?.details?.silent ?? [],
        outbox,
        ...facts,
      },
    };
  }
}

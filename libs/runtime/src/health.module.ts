import { Controller, Get, Inject, Module, type DynamicModule } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RUNTIME, type Runtime } from './runtime';

export const HEALTH_EXTRAS = Symbol('HEALTH_EXTRAS');
/** Modules in the same process add their own health facts (e.g. the analyzer's tfjs backend). */
export type HealthExtra = () => Promise<Record<string, unknown>> | Record<string, unknown>;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(RUNTIME) private readonly rt: Runtime,
    @Inject(HEALTH_EXTRAS) private readonly extras: HealthExtra[],
  ) {}

  @Get()
  async health() {
    let database = 'up';
    try {
      await this.rt.db.query('SELECT 1');
    } catch {
      database = 'down';
    }
    const facts = Object.assign({}, ...(await Promise.all(this.extras.map((f) => f()))));
    return { status: database === 'up' ? 'ok' : 'degraded', service: this.rt.service, database, databaseKind: this.rt.db.embedded ? 'pglite' : 'postgresql', bus: this.rt.busKind, ...facts };
  }
}

@Module({})
export class HealthModule {
  static forRuntime(rt: Runtime, extras: HealthExtra[] = []): DynamicModule {
    return { module: HealthModule, controllers: [HealthController], providers: [{ provide: RUNTIME, useValue: rt }, { provide: HEALTH_EXTRAS, useValue: extras }] };
  }
}

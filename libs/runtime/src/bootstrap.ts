import 'reflect-metadata';
import { Global, Module, type DynamicModule, type INestApplication, type INestApplicationContext, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { NestMicroservice } from '@nestjs/microservices';
import { KairosBusServer, RethrowRpcErrorsFilter } from '@kairos/bus';
import type { MigrationClass } from '@kairos/persistence';
import { ApiKeyError, apiKeyErrorStatus, LOGGER, loadConfig, type KairosConfig, type Logger } from '@kairos/platform';
import { armShutdownDeadline } from './shutdown-deadline';
import { HttpErrorFilter, type DomainStatusMapper } from './http-error.filter';
import { KairosCoreModule } from './kairos-core.module';
import { assertBindAllowed } from './security/bind-policy';
import { applyHttpSecurity, httpSecurityOptionsFromConfig } from './security/http-security.middleware';

export interface KairosServiceOptions {
  service: string;
  title: string;
  /** The app modules this process runs (four in standalone mode). */
  modules: Array<Type<unknown> | DynamicModule>;
  migrations: MigrationClass[];
  statusOf: DomainStatusMapper;
  /** Defaults to loadConfig() (process.env). */
  config?: KairosConfig;
  /** Port override (tests: 0 for any free port). */
  port?: number;
  /** Routes that take batches and get HTTP_BATCH_BODY_LIMIT_BYTES instead of HTTP_BODY_LIMIT_BYTES (default: POST /api/workflows). */
  batchRoutes?: ReadonlyArray<{ method: string; path: string | RegExp }>;
}

/** Workflow submissions carry up to 10,000 task specs. */
export const DEFAULT_BATCH_ROUTES: ReadonlyArray<{ method: string; path: string | RegExp }> = [{ method: 'POST', path: '/api/workflows' }];

@Module({})
class KairosRootModule {}

/**
 * Creates the Nest application of one process: HTTP (JSON errors, OpenAPI at /docs, /health) plus
 * the bus as a connected microservice whose @EventPattern handlers are the app's consumers. The
 * transport subscribes every handler and only then starts the bus, so each Kafka consumer group joins
 * once with all its topics. Returns the app, listening.
 */
export async function startKairosService(opts: KairosServiceOptions): Promise<INestApplication> {
  const config = opts.config ?? loadConfig();
  // Before anything starts: an open API (KAIROS_AUTH=off) may only listen on loopback.
  assertBindAllowed(config.HOST, config.KAIROS_AUTH === 'keys');
  const root: DynamicModule = {
    module: KairosRootModule,
    imports: [KairosCoreModule.forRoot({ service: opts.service, config, migrations: opts.migrations }), ...opts.modules],
  };
  // bodyParser: false — applyHttpSecurity parses JSON bodies itself (limits, 400/413/415 answers).
  const app = await NestFactory.create<NestExpressApplication>(root, { logger: ['error', 'warn'], bodyParser: false });
  const logger = app.get<Logger>(LOGGER);
  // Host/Origin allow-lists, strict CORS, helmet, no X-Powered-By, JSON-only bodies (docs/security.md).
  // Workflow submissions (batch routes) carry up to 10,000 task specs and get the batch limit.
  applyHttpSecurity(app, httpSecurityOptionsFromConfig(config, { batchRoutes: opts.batchRoutes ?? DEFAULT_BATCH_ROUTES }));
  app.useGlobalFilters(new HttpErrorFilter(logger, (e) => (e instanceof ApiKeyError ? apiKeyErrorStatus(e.code) : opts.statusOf(e))));
  app.enableShutdownHooks();
  armShutdownDeadline(config.SHUTDOWN_TIMEOUT_MS, {
    signals: process,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    expire: (signal, ms) => {
      logger.error({ signal, timeoutMs: ms }, `${opts.service}: graceful stop did not finish within SHUTDOWN_TIMEOUT_MS; exiting`);
      process.exit(1);
    },
  });
  // Deferred so the RPC filter is in place when the handlers are built; the app's own init() below runs
  // the lifecycle hooks once for the shared container, so the microservice must not run them again.
  const bus = app.connectMicroservice({ strategy: app.get(KairosBusServer) }, { deferInitialization: true });
  if (bus instanceof NestMicroservice) bus.setIsInitHookCalled(true);
  bus.useGlobalFilters(new RethrowRpcErrorsFilter());
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(opts.title).setVersion('1').addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key: kairos_<id>_<secret>' }, 'apiKey').addSecurityRequirements('apiKey').build());
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(opts.port ?? config.PORT, config.HOST);
  logger.info({ url: `http://${config.HOST}:${opts.port ?? config.PORT}` }, `${opts.title} listening`);
  return app;
}

/**
 * The same composition without HTTP or the transport (tests, scripts): an initialised application
 * context whose consumers are not subscribed; `globals` adds providers every module can inject.
 */
export async function createKairosContext(opts: { service: string; config: KairosConfig; migrations: MigrationClass[]; modules: Array<Type<unknown> | DynamicModule>; globals?: Provider[] }): Promise<INestApplicationContext> {
  @Global()
  @Module({})
  class TestGlobalsModule {}
  const globals: DynamicModule = { module: TestGlobalsModule, providers: opts.globals ?? [], exports: (opts.globals ?? []).map((p) => ('provide' in p ? p.provide : p)) };
  const root: DynamicModule = {
    module: KairosRootModule,
    imports: [KairosCoreModule.forRoot({ service: opts.service, config: opts.config, migrations: opts.migrations }), globals, ...opts.modules],
  };
  return NestFactory.createApplicationContext(root, { logger: false });
}

/** A service's main(): start, or print why not and exit 1. */
export function runKairosService(opts: KairosServiceOptions): void {
  startKairosService(opts).catch((err: unknown) => {
    process.stderr.write(`${opts.service} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

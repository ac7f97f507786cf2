import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module, type INestApplication, type DynamicModule } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HttpErrorFilter, type DomainStatusMapper } from './http-error.filter';
import type { Runtime } from './runtime';
import { HealthModule, type HealthExtra } from './health.module';

export interface HttpServiceOptions {
  title: string;
  port: number;
  host: string;
  statusOf: DomainStatusMapper;
  healthExtras?: HealthExtra[];
}

@Module({})
class KairosRootModule {}

/** Creates and starts one Nest HTTP app: JSON errors, OpenAPI at /docs, shutdown hooks. */
export async function startHttpService(modules: DynamicModule[], rt: Runtime, opts: HttpServiceOptions): Promise<INestApplication> {
  const root: DynamicModule = { module: KairosRootModule, imports: [...modules, HealthModule.forRuntime(rt, opts.healthExtras)] };
  const app = await NestFactory.create<NestExpressApplication>(root, { logger: ['error', 'warn'], bodyParser: true });
  // Workflow submissions carry up to 10,000 task specs; express's 100 kB default rejects ~1,500.
  app.useBodyParser('json', { limit: '16mb' });
  app.useGlobalFilters(new HttpErrorFilter(rt.logger, opts.statusOf));
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(opts.title).setVersion('1').build());
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
  await app.init(); // lifecycle hooks register their subscriptions…
  await rt.bus.start(); // …so each consumer group joins once, with every topic
  await app.listen(opts.port, opts.host);
  rt.logger.info({ url: `http://${opts.host}:${opts.port}` }, `${opts.title} listening`);
  return app;
}

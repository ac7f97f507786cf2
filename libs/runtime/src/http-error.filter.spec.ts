import { Controller, Get, Module, type ArgumentsHost, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import request from 'supertest';
import { QueryFailedError } from 'typeorm';
import { HttpErrorFilter } from './http-error.filter';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

@Controller('fail')
class FailingController {
  @Get('disk-full')
  diskFull() {
    throw new QueryFailedError('INSERT INTO tasks (run) VALUES ($1)', ['{"secretEnv":{"TOKEN":"s3cret-value"}}'], pgError('53100', 'could not extend file "base/16384/16390": No space left on device'));
  }
  @Get('unreachable')
  unreachable() {
    throw pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
  }
  @Get('bug')
  bug() {
    throw new Error('a bug');
  }
}

@Module({ controllers: [FailingController] })
class TestModule {}

describe('HttpErrorFilter: storage failures', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(pino({ level: 'silent' }), () => undefined));
    await app.init();
  });
  afterAll(() => app.close());

  it('disk full → 503 STORAGE_FULL with Retry-After, nothing of the statement or its parameters', async () => {
    const res = await request(app.getHttpServer()).get('/fail/disk-full').expect(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({ error: 'STORAGE_FULL', details: { cause: '53100', retryAfterSeconds: 30 } });
    expect(JSON.stringify(res.body)).not.toMatch(/s3cret|INSERT|base\/16384/);
  });
  it('database unreachable → 503 STORAGE_UNAVAILABLE with Retry-After', async () => {
    const res = await request(app.getHttpServer()).get('/fail/unreachable').expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ error: 'STORAGE_UNAVAILABLE', details: { cause: 'ECONNREFUSED' } });
  });
  it('any other error is still a 500 INTERNAL', async () => {
    const res = await request(app.getHttpServer()).get('/fail/bug').expect(500);
    expect(res.body.error).toBe('INTERNAL');
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe('HttpErrorFilter: storage failures in a GraphQL resolver', () => {
  const filter = new HttpErrorFilter(pino({ level: 'silent' }), () => undefined);
  const gql = { getType: () => 'graphql' } as unknown as ArgumentsHost;
  it('carry the stable code, status 503 and the retry delay in extensions', () => {
    const e = filter.catch(pgError('53100', 'No space left on device'), gql);
    expect(e?.extensions).toEqual({ code: 'STORAGE_FULL', status: 503, details: { cause: '53100', retryAfterSeconds: 30 } });
    expect(filter.catch(pgError('ECONNREFUSED', 'connect ECONNREFUSED'), gql)?.extensions).toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503 });
    expect(filter.catch(new Error('a bug'), gql)?.extensions).toMatchObject({ code: 'INTERNAL', status: 500 });
  });
});
